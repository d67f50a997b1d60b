/**
 * Every resource's inputs go to the engine through the SDK's `serializeProperty`
 * (runtime/rpc.ts): an async function that awaits itself once for every key and array
 * element, and checks every value against six kinds of Pulumi object on the way. A
 * Kubernetes object is a few hundred such values, nearly all plain strings and numbers;
 * registering a 1,000-tenant graph under the mock runtime spent an eighth of its time in
 * those two functions alone, besides the promises they leave to collect (README: Scale).
 *
 * serializeInputsSynchronously() replaces the SDK's three entry points to it
 * (serializeResourceProperties, serializeProperties, serializePropertiesReturnDeps) with
 * ones that copy plain data (strings, numbers, booleans, null, undefined, plain objects
 * and arrays) at once, and serialize an Output as the SDK does, in the SDK's order. Every
 * other value (a promise, a resource, an asset, the unknown sentinel, a class instance,
 * an Output to be kept as an output value) goes to the SDK's own `serializeProperty`. A
 * value that is not plain data pauses its siblings until it is done, as the SDK's awaits
 * do, so each property records the same dependencies in the same order:
 * tests/unit/sdk-serialize.test.ts compares results and dependencies with the SDK's on
 * generated inputs.
 *
 * It installs only on the SDK release it was checked against;
 * NEURALLOG_SDK_SERIALIZE=1 keeps the SDK's own code (to rule this out in a bug).
 */
import { sdkModule } from "./sdk-debug-log";

/** The @pulumi/pulumi release whose runtime (rpc.ts, debuggable.ts) this project's fast paths mirror. */
export const CHECKED_SDK_VERSION = "3.185.0";

/** Whether the SDK the program runs on is that release (the fast paths install on no other). */
export const onCheckedSdk = (): boolean => sdkModule<{ version: string }>("package.json").version === CHECKED_SDK_VERSION;

type Deps = Set<unknown> | undefined;
interface Options {
    keepOutputValues?: boolean;
    excludeResourceReferencesFromDependencies?: boolean;
}
type Serialized = [Record<string, unknown>, Map<string, Set<unknown>>];

/** What this module uses of the SDK's runtime/rpc.ts, and the entry points it replaces. */
export interface RpcModule {
    serializeProperty(ctx: string, prop: unknown, deps: Deps, opts?: Options): Promise<unknown>;
    serializeSecretValue(value: unknown): unknown;
    unknownValue: string;
    serializeResourceProperties(label: string, props: Record<string, unknown>, opts?: Options): Promise<Serialized>;
    serializeProperties(label: string, props: Record<string, unknown>, opts?: Options): Promise<Record<string, unknown>>;
    serializePropertiesReturnDeps(label: string, props: Record<string, unknown>, opts?: Options): Promise<Serialized>;
}
interface OutputLike {
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
    promise(): Promise<unknown>;
}
interface Sdk {
    rpc: RpcModule;
    outputProto: object;
    getAllResources(o: OutputLike): Promise<Set<unknown>>;
    // Looked up at each call, as the SDK's modules call each other's exports.
    debuggable: { debuggablePromise<T>(p: Promise<T>, ctx: string): Promise<T> };
    state: { getStore(): { supportsSecrets: boolean } };
}

// The members by which the SDK recognises its own objects (utils.isInstance). Its own
// objects are class instances; a plain object or array carrying one is left to the SDK.
const MARKERS = new Set(["__pulumiOutput", "__pulumiUnknown", "__pulumiAsset", "__pulumiArchive", "__pulumiCustomResource", "__pulumiComponentResource"]);
const UNDERSCORE = "_".charCodeAt(0);

function markedObject(value: Record<string, unknown>, keys: string[]): boolean {
    for (const k of keys) if (k.charCodeAt(0) === UNDERSCORE && value[k] === true && MARKERS.has(k)) return true;
    return false;
}

function markedArray(value: unknown[]): boolean {
    const members = value as unknown as Record<string, unknown>;
    for (const m of MARKERS) if (members[m] === true) return true;
    return false;
}

const isPrimitive = (v: unknown) => v === undefined || v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";

const NO_OUTPUT_VALUES: Options = { keepOutputValues: false };

/**
 * The SDK's serialization of `prop`: the value itself when it is plain data all the way
 * down; otherwise a promise of it.
 */
function serialize(sdk: Sdk, ctx: string, prop: unknown, deps: Deps, opts: Options | undefined): unknown {
    if (isPrimitive(prop)) return prop;
    if (typeof prop !== "object") return sdk.rpc.serializeProperty(ctx, prop, deps, opts);
    const proto: unknown = Object.getPrototypeOf(prop);
    if (proto === sdk.outputProto && !opts?.keepOutputValues) return serializeOutput(sdk, ctx, prop as OutputLike, deps);
    if (proto === Array.prototype) {
        const items = prop as unknown[];
        if (markedArray(items)) return sdk.rpc.serializeProperty(ctx, prop, deps, opts);
        const out: unknown[] = [];
        for (let i = 0; i < items.length; i++) {
            const item = items[i];
            const r = isPrimitive(item) ? item : serialize(sdk, `${ctx}[${i}]`, item, deps, opts);
            if (r instanceof Promise) return finishArray(sdk, ctx, items, i, r, out, deps, opts);
            out.push(r === undefined ? null : r);
        }
        return out;
    }
    if (proto === Object.prototype || proto === null) {
        const obj = prop as Record<string, unknown>;
        const keys = Object.keys(obj);
        if (markedObject(obj, keys)) return sdk.rpc.serializeProperty(ctx, prop, deps, opts);
        const out: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) {
            const k = keys[i];
            const value = obj[k];
            const r = isPrimitive(value) ? value : serialize(sdk, `${ctx}.${k}`, value, deps, opts);
            if (r instanceof Promise) return finishObject(sdk, ctx, obj, keys, i, r, out, deps, opts);
            if (r !== undefined) out[k] = r;
        }
        return out;
    }
    return sdk.rpc.serializeProperty(ctx, prop, deps, opts);
}

/** The rest of an array, once its element `at` (pending) is done. */
async function finishArray(sdk: Sdk, ctx: string, items: unknown[], at: number, pending: Promise<unknown>, out: unknown[], deps: Deps, opts?: Options) {
    let r: unknown = await pending;
    out.push(r === undefined ? null : r);
    for (let i = at + 1; i < items.length; i++) {
        r = serialize(sdk, `${ctx}[${i}]`, items[i], deps, opts);
        if (r instanceof Promise) r = await r;
        out.push(r === undefined ? null : r);
    }
    return out;
}

/** The rest of an object, once its key `at` (pending) is done. */
async function finishObject(sdk: Sdk, ctx: string, obj: Record<string, unknown>, keys: string[], at: number, pending: Promise<unknown>, out: Record<string, unknown>, deps: Deps, opts?: Options) {
    let r: unknown = await pending;
    if (r !== undefined) out[keys[at]] = r;
    for (let i = at + 1; i < keys.length; i++) {
        const k = keys[i];
        r = serialize(sdk, `${ctx}.${k}`, obj[k], deps, opts);
        if (r instanceof Promise) r = await r;
        if (r !== undefined) out[k] = r;
    }
    return out;
}

/** runtime/rpc.ts's case of an Output whose value is not kept as an output value. */
async function serializeOutput(sdk: Sdk, ctx: string, prop: OutputLike, deps: Deps): Promise<unknown> {
    const resources = await sdk.getAllResources(prop);
    if (deps) for (const r of resources) deps.add(r);
    const isKnown = await prop.isKnown;
    // `=== true`, as the SDK compares it: an Output of an older SDK has no isSecret.
    const isSecret = (await prop.isSecret) === true;
    const valueDeps = new Set<unknown>();
    const subctx = `Promise<${ctx}.id>`;
    let value = serialize(sdk, subctx, await sdk.debuggable.debuggablePromise(prop.promise(), `serializeProperty.await(${subctx})`), valueDeps, NO_OUTPUT_VALUES);
    if (value instanceof Promise) value = await value;
    for (const r of valueDeps) {
        // The SDK adds them to the Output's own set too (getAllResources returns it, not a copy).
        resources.add(r);
        if (deps) deps.add(r);
    }
    if (!isKnown) return sdk.rpc.unknownValue;
    if (isSecret && sdk.state.getStore().supportsSecrets) return sdk.rpc.serializeSecretValue(value);
    return value;
}

/** runtime/rpc.ts's serializeFilteredProperties, over `serialize`. */
async function serializeFiltered(sdk: Sdk, label: string, props: Record<string, unknown>, accept: (key: string) => boolean, opts?: Options): Promise<Serialized> {
    const dependencies = new Map<string, Set<unknown>>();
    const result: Record<string, unknown> = {};
    for (const k of Object.keys(props)) {
        if (!accept(k)) continue;
        // A property whose value is undefined is left out, with its dependencies.
        const deps = new Set<unknown>();
        let v = serialize(sdk, `${label}.${k}`, props[k], deps, opts);
        if (v instanceof Promise) v = await v;
        if (v !== undefined) {
            result[k] = v;
            dependencies.set(k, deps);
        }
    }
    return [result, dependencies];
}

function loadSdk(): Sdk {
    const output = sdkModule<{ Output: { prototype: object }; getAllResources: Sdk["getAllResources"] }>("output");
    return {
        rpc: sdkModule<RpcModule>("runtime/rpc"),
        outputProto: output.Output.prototype,
        getAllResources: output.getAllResources,
        debuggable: sdkModule("runtime/debuggable"),
        state: sdkModule("runtime/state"),
    };
}

/** The SDK's own entry points, as they were before this module replaced them (for the comparison test). */
export const sdkSerializers = (() => {
    const rpc = sdkModule<RpcModule>("runtime/rpc");
    return {
        serializeResourceProperties: rpc.serializeResourceProperties,
        serializeProperties: rpc.serializeProperties,
        serializePropertiesReturnDeps: rpc.serializePropertiesReturnDeps,
    };
})();

/** Whether the SDK serializes the program's inputs through this module now. */
export function inputsSerializedSynchronously(): boolean {
    return sdkModule<RpcModule>("runtime/rpc").serializePropertiesReturnDeps !== sdkSerializers.serializePropertiesReturnDeps;
}

/** Idempotent; a no-op under NEURALLOG_SDK_SERIALIZE=1 or on another SDK release. Returns whether it is installed. */
export function serializeInputsSynchronously(): boolean {
    if (inputsSerializedSynchronously()) return true;
    if (process.env.NEURALLOG_SDK_SERIALIZE === "1") return false;
    if (!onCheckedSdk()) return false;
    // The SDK's per-value debug logging, off in every release, would be skipped here.
    if (sdkModule<{ excessiveDebugOutput: boolean }>("runtime/settings").excessiveDebugOutput) return false;
    const sdk = loadSdk();
    sdk.rpc.serializeResourceProperties = (label, props, opts) => serializeFiltered(sdk, label, props, (k) => k !== "id" && k !== "urn", opts);
    sdk.rpc.serializeProperties = async (label, props, opts) => (await serializeFiltered(sdk, label, props, () => true, opts))[0];
    sdk.rpc.serializePropertiesReturnDeps = (label, props, opts) => serializeFiltered(sdk, label, props, () => true, opts);
    return true;
}
