/**
 * GeneratedCredential: a random credential kept in Pulumi state, with no resource
 * plugin. It replaces @pulumi/random's RandomPassword, whose plugin cannot be built
 * from the registries this project may use; a dynamic provider runs inside the
 * language host, so the program needs exactly one plugin (kubernetes).
 *
 * The value is generated once, at create, and then only read back from state: every
 * later `up` and `preview --refresh` sees it unchanged. A change of `length`,
 * `alphabet` or `rotation` replaces the resource, i.e. rotates the credential, and
 * everything that carries the value (the Kubernetes Secret) updates with it.
 */
import * as pulumi from "@pulumi/pulumi";

// Module-local (not exported) so the serialized provider captures the values, not `exports`.
const ALPHABETS = {
    alphanumeric: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    hex: "0123456789abcdef",
} as const;
const MIN_LENGTH = 16;
const MAX_LENGTH = 256;
const REPLACING_KEYS = ["length", "alphabet", "rotation"] as const;

/** Characters a credential may be drawn from. No symbols: values go into URLs and config files. */
export const CREDENTIAL_ALPHABETS = ALPHABETS;
export type CredentialAlphabet = keyof typeof ALPHABETS;
export const CREDENTIAL_MIN_LENGTH = MIN_LENGTH;
export const CREDENTIAL_MAX_LENGTH = MAX_LENGTH;

/** What decides a credential: any change replaces it. */
export interface CredentialInputs {
    length: number;
    alphabet: CredentialAlphabet;
    /** An operator-chosen key (stack config `credentialRotation`); changing it rotates the value. */
    rotation: string;
}

/**
 * The provider's whole logic, as plain functions so tests can call them directly.
 * Pulumi serializes this object into state and runs it in the language host: it may
 * capture module-local constants (copied by value) and load Node's own modules with
 * `require`, but must not reach exported names (they would drag in `exports`).
 */
export const credentialProvider = {
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
        const failures: { property: string; reason: string }[] = [];
        const length = news.length;
        if (typeof length !== "number" || !Number.isInteger(length) || length < MIN_LENGTH || length > MAX_LENGTH) {
            failures.push({ property: "length", reason: `must be a whole number from ${MIN_LENGTH} to ${MAX_LENGTH}` });
        }
        if (typeof news.alphabet !== "string" || !(news.alphabet in ALPHABETS)) {
            failures.push({ property: "alphabet", reason: `must be one of ${Object.keys(ALPHABETS).join(", ")}` });
        }
        if (typeof news.rotation !== "string") {
            failures.push({ property: "rotation", reason: "must be a string" });
        }
        return { inputs: news, failures };
    },

    async create(inputs: Record<string, unknown>) {
        const crypto = require("node:crypto") as typeof import("node:crypto");
        const length = inputs.length as number;
        const chars: string = ALPHABETS[inputs.alphabet as CredentialAlphabet];
        let value = "";
        // randomInt draws without modulo bias.
        for (let i = 0; i < length; i++) value += chars[crypto.randomInt(chars.length)];
        return {
            id: crypto.randomUUID(),
            outs: { length, alphabet: inputs.alphabet, rotation: inputs.rotation, value },
        };
    },

    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        const replaces = REPLACING_KEYS.filter((k) => olds[k] !== news[k]);
        return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
    },

    /** Nothing outside state holds the value: refresh keeps what state has. */
    async read(id: string, props: Record<string, unknown>) {
        return { id, props };
    },

    /** Only reached for changes that are not replacements (e.g. new provider code): keep the value. */
    async update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { outs: { length: news.length, alphabet: news.alphabet, rotation: news.rotation, value: olds.value } };
    },
};

/**
 * An explicit instance of the `pulumi-nodejs` provider that runs dynamic resources. The
 * default instance is configured with the whole stack config, so every config edit
 * (onboarding one tenant) would show it as an update in the preview; this one has no
 * inputs, so a preview lists only what really changes.
 */
export class CredentialsProvider extends pulumi.ProviderResource {
    constructor(name: string, opts?: pulumi.ResourceOptions) {
        super("pulumi-nodejs", name, {}, opts);
    }
}

export interface GeneratedCredentialArgs {
    /**
     * Number of characters.
     * @default 32
     */
    length?: number;
    /**
     * Characters to draw from.
     * @default "alphanumeric"
     */
    alphabet?: CredentialAlphabet;
    /**
     * Rotation key: any new value replaces the credential with a freshly generated one.
     * @default ""
     */
    rotation?: string;
}

/** A generated credential; `value` is always a Pulumi secret, in state and in outputs. */
export class GeneratedCredential extends pulumi.dynamic.Resource {
    // `declare`: with target ES2022 a plain field would be redefined as undefined after super().
    declare public readonly value: pulumi.Output<string>;
    declare public readonly length: pulumi.Output<number>;
    declare public readonly alphabet: pulumi.Output<CredentialAlphabet>;
    declare public readonly rotation: pulumi.Output<string>;

    constructor(name: string, args: GeneratedCredentialArgs, opts?: pulumi.CustomResourceOptions) {
        const length = args.length ?? 32;
        if (!Number.isInteger(length) || length < CREDENTIAL_MIN_LENGTH || length > CREDENTIAL_MAX_LENGTH) {
            throw new Error(`${name}: credential length ${length} must be a whole number from ${CREDENTIAL_MIN_LENGTH} to ${CREDENTIAL_MAX_LENGTH}`);
        }
        super(
            credentialProvider,
            name,
            { length, alphabet: args.alphabet ?? "alphanumeric", rotation: args.rotation ?? "", value: undefined },
            { ...opts, additionalSecretOutputs: ["value"] },
            "neurallog",
            "GeneratedCredential",
        );
    }
}
