/**
 * Runs the real program under Pulumi mocks with a stack's config, and records every
 * resource it registers. Config comes from the real Pulumi.<stack>.yaml files, so the
 * tests check what users deploy, not a copy of it.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { credentialProvider } from "../../components/credential";
import { KubeconfigView, LiveOwners } from "../../components/cluster";
import { LiveIndex } from "../../components/drift";
import { LiveVolumes, NO_LIVE_VOLUMES } from "../../components/volumes";
import { ConfigError, resolveConfig } from "../../components/config";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface Registered {
    type: string;
    name: string;
    inputs: any;
    provider?: string;
    /** Resource options as the program passed them (protect, retainOnDelete, parent, ...). */
    opts?: pulumi.ResourceOptions;
    /** How many aliases the registration sent the engine (the monitor's request, not the mocks' arguments); a read has none. */
    aliasesSent?: number;
}

/** Reads `Pulumi.<stack>.yaml` into `{ key: value }` (without the `neurallog:` prefix). */
export function stackConfig(stack: string): Record<string, any> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    const out: Record<string, any> = {};
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        out[key.replace(/^neurallog:/, "")] = value;
    }
    return out;
}

export const CREDENTIAL_TYPE = "pulumi-nodejs:dynamic/neurallog:GeneratedCredential";

/**
 * Stands in for Pulumi state across runs: a credential is created once per resource
 * name (by the real provider code) and later runs see the stored outputs unless the
 * provider's own diff asks for a replacement, as the engine would.
 */
const credentialState = new Map<string, Record<string, unknown>>();

class Recorder implements pulumi.runtime.Mocks {
    readonly resources: Registered[] = [];
    /**
     * What this stack's last update exported: the engine answers the root stack's
     * registration with it, which is where the offboarding guard reads it.
     */
    constructor(private readonly previousOutputs: Record<string, unknown> = {}) {}
    async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: Record<string, any> }> {
        this.resources.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
        let state: Record<string, any> = { ...args.inputs };
        if (args.type === CREDENTIAL_TYPE) {
            const { __provider, ...inputs } = args.inputs;
            const checked = await credentialProvider.check({}, inputs);
            if (checked.failures.length) throw new Error(JSON.stringify(checked.failures));
            const old = credentialState.get(args.name);
            if (!old || (await credentialProvider.diff("", old, inputs)).replaces.length > 0) {
                credentialState.set(args.name, (await credentialProvider.create(inputs)).outs);
            }
            state = { ...credentialState.get(args.name), __provider };
        }
        if (args.type === "pulumi:pulumi:Stack") state = { ...this.previousOutputs };
        if (args.type.startsWith("kubernetes:") && state.metadata) {
            state.metadata = { ...state.metadata, name: state.metadata.name ?? `${args.name}-generated` };
        }
        return { id: args.id ?? `${args.name}-id`, state };
    }
    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        return args.inputs;
    }
}

export interface Run {
    resources: Registered[];
    outputs: any;
    error?: Error;
    /** Values of the generated credentials registered in this run (what state holds). */
    credentials: string[];
}

function toConfigText(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** Resolves an Output to its value (and whether it is secret). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/**
 * Runs `body` as a Pulumi program under the mocks, with the given config (keys without
 * `neurallog:`), and waits until every registration has reached the mocks.
 */
export async function runUnderMocks(
    config: Record<string, unknown>,
    stack: string,
    previousOutputs: Record<string, unknown>,
    body: () => Promise<unknown>,
): Promise<Run> {
    const recorder = new Recorder(previousOutputs);
    // Not a preview: under mocks every value is known, so outputs resolve.
    await pulumi.runtime.setMocks(recorder, "neurallog", stack, false, "organization");
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(config).map(([k, v]) => [`neurallog:${k}`, toConfigText(v)])),
    );
    // The mocks' arguments leave aliases out; the request the monitor gets has them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
    const aliasesSent = new Map<string, number>();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: unknown) => {
        aliasesSent.set(`${req.getType()}::${req.getName()}`, req.getAliasesList().length + req.getAliasurnsList().length);
        return register(req, callback);
    };
    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (req: any, callback: unknown) => {
        aliasesSent.set(`${req.getType()}::${req.getName()}`, 0);
        return read(req, callback);
    };
    // Options never reach the mock monitor; a stack transformation sees them as given.
    const options = new Map<string, pulumi.ResourceOptions>();
    let outputs: any;
    let error: Error | undefined;
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((a) => {
            options.set(`${a.type}::${a.name}`, a.opts);
            return undefined;
        });
        try {
            outputs = await body();
        } catch (e) {
            error = e as Error;
        }
        return undefined;
    });
    // Internal, but the only way to know the mocks have seen every registration.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    if (outputs) {
        await promiseOf(pulumi.output(outputs).apply(() => undefined));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    }
    for (const r of recorder.resources) {
        r.opts = options.get(`${r.type}::${r.name}`);
        r.aliasesSent = aliasesSent.get(`${r.type}::${r.name}`);
    }
    const credentials = recorder.resources
        .filter((r) => r.type === CREDENTIAL_TYPE)
        .map((r) => credentialState.get(r.name)?.value as string);
    return { resources: recorder.resources, outputs, error, credentials };
}

/** Runs the program (components/program.ts) under the mocks. */
export async function runProgram(
    config: Record<string, unknown>,
    stack = "test",
    previousOutputs: Record<string, unknown> = {},
    /** Live objects the drift reconciler sees (components/drift.ts); the unit tests have no cluster. */
    live: LiveIndex = new Map(),
    /** The kubeconfig the program reads; by default one that points at the cluster the config names. */
    kubeconfigView?: KubeconfigView,
    /** Live claims and classes the volume guard sees (components/volumes.ts). */
    volumes: LiveVolumes = NO_LIVE_VOLUMES,
    /** Owners of live cluster-scoped objects (components/cluster.ts); none by default. */
    owners: LiveOwners = new Map(),
): Promise<Run> {
    return runUnderMocks(config, stack, previousOutputs, async () => {
        // Imported after the mocks are in place, as the Pulumi testing guide requires.
        const { main } = await import("../../components/program");
        // The kubeconfig the engine would see: the cluster the stack's config names.
        const wanted = (config.cluster ?? {}) as { context?: string; server?: string };
        const context = wanted.context ?? "unit";
        const kubeconfig = kubeconfigView ?? {
            currentContext: context,
            contexts: [{ name: context, cluster: "unit-cluster" }],
            clusters: [{ name: "unit-cluster", server: wanted.server ?? "https://127.0.0.1:6443" }],
            source: "the unit tests' kubeconfig",
        };
        return main({ readLive: async () => live, readVolumes: async () => volumes, readOwners: async () => owners, kubeconfig: async () => kubeconfig });
    });
}

export const runStack = (stack: string) => runProgram(stackConfig(stack), stack);

/** Kubernetes objects of a kind, e.g. `kubernetes:core/v1:Namespace`. */
export function ofType(run: Run, type: string): Registered[] {
    return run.resources.filter((r) => r.type === type);
}

export function inNamespace(run: Run, namespace: string): Registered[] {
    return run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.inputs?.metadata?.namespace === namespace);
}

/** Pod specs of every workload kind, CronJobs' included. */
export function podSpecs(run: Run): { owner: Registered; spec: any }[] {
    return [
        ...run.resources
            .filter((r) => ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"].includes(r.type))
            .map((owner) => ({ owner, spec: owner.inputs.spec.template.spec })),
        ...ofType(run, "kubernetes:batch/v1:CronJob").map((owner) => ({ owner, spec: owner.inputs.spec.jobTemplate.spec.template.spec })),
    ];
}

/** The engine's marker for a secret value, as the mocks receive it. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export function isSecretValue(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270";
}

/** The problems `resolveConfig` reports for a config, each as "<key path> <message>"; [] when it is accepted. */
export function configProblems(config: Record<string, unknown>): string[] {
    try {
        resolveConfig(config);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.problems.map((p) => `${p.path} ${p.message}`);
    }
}
