/**
 * Runs in a process of its own (tests/unit/sdk-serialize.test.ts starts it), since
 * components/sdk-serialize.ts replaces the SDK's functions for the whole process. Under
 * the mock runtime, it builds resource inputs from a seed (plain data of every shape the
 * SDK takes, Outputs known, unknown, secret and carrying resources, promises, resource
 * references, assets, class instances, the unknown sentinel) and serializes each with the
 * SDK's own entry points, then with the program's, under several options and engine
 * features. Prints one JSON line: whether it installed, the cases compared, the first
 * mismatches, and how many values of a
 * Deployment-shaped input with Outputs in it the program left to the SDK.
 *
 *   node -r ts-node/register/transpile-only tests/support/sdk-serialize-compare.ts <seed> <cases>
 */
import * as pulumi from "@pulumi/pulumi";
import { inputsSerializedSynchronously, RpcModule, sdkSerializers, serializeInputsSynchronously } from "../../components/sdk-serialize";
import { sdkModule } from "../../components/sdk-debug-log";
import { seededRandom } from "./seeded-random";

const [seed, count] = process.argv.slice(2).map(Number);

const { random, pick, reset } = seededRandom(seed);

const KEYS = ["a", "b", "name", "spec", "metadata", "id", "urn", "app.kubernetes.io/name", "__proto__", "_x", "__pulumiAsset", "10"];
const STRINGS = ["", "x", "RuntimeDefault", "ünïcode ✓", "04da6b54-80e4-46f7-96ec-b56ff0331ba9"];
const NUMBERS = [0, -0, 1, 3.5, NaN, Infinity];

class Thing {
    readonly a = 1;
}
class Resource extends pulumi.CustomResource {}

interface World {
    custom: pulumi.CustomResource[];
    components: pulumi.ComponentResource[];
    /** Outputs whose values hold other Outputs: the SDK adds those Outputs' resources to theirs. */
    holders: pulumi.Output<unknown>[];
}

/** An Output as the SDK's constructor makes it: no resources of its own, and its value not lifted. */
function rawOutput(value: unknown, known: boolean): pulumi.Output<unknown> {
    const Output = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<unknown>;
    return new Output(new Set(), Promise.resolve(value), Promise.resolve(known), Promise.resolve(false), Promise.resolve(new Set()));
}

/** A value the SDK accepts as an input; `depth` bounds the nesting. */
function generate(world: World, depth: number): unknown {
    const leaf = depth <= 0;
    switch (Math.floor(random() * (leaf ? 6 : 22))) {
        case 0:
            return pick(STRINGS);
        case 1:
            return pick(NUMBERS);
        case 2:
            return random() < 0.5;
        case 3:
            return null;
        case 4:
            return undefined;
        case 5:
            return pick(world.custom).urn;
        case 6:
        case 7:
        case 8: {
            const items = Array.from({ length: Math.floor(random() * 4) }, () => generate(world, depth - 1));
            if (random() < 0.1) items.length += 2; // holes
            return items;
        }
        case 9:
        case 10:
        case 11:
        case 12: {
            const object: Record<string, unknown> = random() < 0.1 ? Object.create(null) : {};
            for (let i = Math.floor(random() * 5); i > 0; i--)
                Object.defineProperty(object, pick(KEYS), { value: generate(world, depth - 1), enumerable: true, writable: true, configurable: true });
            return object;
        }
        case 13:
            return pulumi.output(generate(world, depth - 1));
        case 14:
            return pulumi.secret(generate(world, depth - 1));
        case 15:
            return rawOutput(generate(world, depth - 1), false);
        case 16: {
            const nested = generate(world, depth - 1);
            return pulumi.all([pick(world.custom).id, pick(world.custom).urn]).apply(([id, urn]) => ({ id, urn, nested }));
        }
        case 17:
            // An Output whose value holds another, with a resource: a dependency found in its value.
            if (random() < 0.5) return Promise.resolve(generate(world, depth - 1));
            world.holders.push(rawOutput({ ref: pick(world.custom).id, other: generate(world, depth - 1) }, true));
            return world.holders[world.holders.length - 1];
        case 18:
            return random() < 0.5 ? pick(world.custom) : pick(world.components);
        case 19:
            return pick([new pulumi.asset.StringAsset("x"), new pulumi.asset.AssetArchive({ a: new pulumi.asset.StringAsset("y") })]);
        case 20:
            return pick([new Date(0), new Thing(), pulumi.unknown, () => 1]);
        default:
            // The SDK's marker on plain data: the unknown sentinel's, which it honours.
            return pick([{ __pulumiUnknown: true, a: 1 }, Object.assign([1, 2], { __pulumiUnknown: true })]);
    }
}

function props(world: World): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 1 + Math.floor(random() * 5); i > 0; i--) out[pick(KEYS)] = generate(world, 4);
    return out;
}

type Outcome = { value: unknown; deps?: Array<[string, string[]]> } | { error: string };

async function outcome(world: World, run: () => Promise<unknown>): Promise<Outcome> {
    const names = new Map<unknown, string>([...world.custom, ...world.components].map((r, i) => [r, `r${i}`]));
    try {
        const result = await run();
        if (!Array.isArray(result)) return { value: result };
        const [value, deps] = result as [unknown, Map<string, Set<unknown>>];
        return { value, deps: [...deps].map(([k, set]) => [k, [...set].map((r) => names.get(r) ?? "?")]) };
    } catch (e) {
        return { error: String((e as Error)?.message ?? e) };
    }
}

const show = (v: unknown) => (typeof v === "object" && v !== null ? (Array.isArray(v) ? "an array" : "an object") : typeof v === "string" ? JSON.stringify(v) : String(v));

const STANDARD = new Set<unknown>([Object.prototype, Array.prototype, null]);

/**
 * Where `a` and `b` first differ, or undefined: primitives by Object.is (NaN, -0), own
 * keys in order, and prototypes by identity, except a prototype the SDK set by assigning
 * an own "__proto__" key of the input, which each run builds afresh: compared by value.
 */
function where(a: unknown, b: unknown, at = ""): string | undefined {
    if (Object.is(a, b)) return undefined;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return `${at}: ${show(a)} vs ${show(b)}`;
    const [pa, pb] = [Object.getPrototypeOf(a), Object.getPrototypeOf(b)];
    if (STANDARD.has(pa) || STANDARD.has(pb) ? pa !== pb : where(pa, pb, `${at}.__proto__`)) return `${at}: prototypes differ`;
    const [ka, kb] = [Reflect.ownKeys(a), Reflect.ownKeys(b)];
    if (ka.join() !== kb.join()) return `${at}: keys ${ka.map(String)} vs ${kb.map(String)}`;
    for (const k of ka) {
        const w = where((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k], `${at}.${String(k)}`);
        if (w) return w;
    }
    return undefined;
}

async function main() {
    await pulumi.runtime.setMocks(
        { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs },
        "neurallog",
        "compare",
        false,
    );
    const world: World = {
        custom: [0, 1, 2].map((i) => new Resource("test:index:Thing", `thing-${i}`, {})),
        components: [0, 1].map((i) => new pulumi.ComponentResource("test:index:Group", `group-${i}`)),
        holders: [],
    };
    const rpc = sdkModule<RpcModule>("runtime/rpc");
    const store = sdkModule<{ getStore(): Record<string, boolean> }>("runtime/state").getStore();
    const variants = [
        { opts: undefined, features: {} },
        { opts: { keepOutputValues: false }, features: { supportsSecrets: false } },
        { opts: { keepOutputValues: true }, features: { supportsOutputValues: true } },
        { opts: { excludeResourceReferencesFromDependencies: true }, features: { supportsResourceReferences: false } },
        { opts: { excludeResourceReferencesFromDependencies: true }, features: {} },
    ];
    const entries = ["serializeResourceProperties", "serializeProperties", "serializePropertiesReturnDeps"] as const;
    // Each run gets its own inputs from the same seed: the SDK changes an Output it
    // serializes (it adds the resources found in its value to the Output's own set).
    const generateCases = () => {
        reset();
        world.holders = [];
        return Array.from({ length: count }, (_, i) => ({ props: props(world), variant: variants[i % variants.length], entry: entries[i % entries.length] }));
    };
    let cases = generateCases();
    const defaults = { ...store };
    const run = async (serializers: Pick<RpcModule, (typeof entries)[number]>) => {
        const out: Outcome[] = [];
        for (const c of cases) {
            Object.assign(store, defaults, c.variant.features);
            out.push(await outcome(world, () => serializers[c.entry](`compare`, c.props, c.variant.opts)));
        }
        Object.assign(store, defaults);
        const names = new Map<unknown, string>(world.custom.map((r, i) => [r, `r${i}`]));
        const holders = await Promise.all(world.holders.map(async (o) => [...(await (o as unknown as { allResources(): Promise<Set<unknown>> }).allResources())].map((r) => names.get(r))));
        out.push({ value: holders });
        return out;
    };
    const sdk = await run(sdkSerializers);
    const installed = serializeInputsSynchronously() && inputsSerializedSynchronously();
    cases = generateCases();
    const ours = await run(rpc);
    let delegated = 0;
    const sdkSerializeProperty = rpc.serializeProperty;
    rpc.serializeProperty = (...args) => {
        delegated++;
        return sdkSerializeProperty(...args);
    };
    const name = pulumi.output("server");
    const deployment = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: world.custom[0].urn, labels: { "app.kubernetes.io/name": "neurallog" } },
        spec: {
            replicas: 2,
            template: { spec: { containers: [{ name, image: "neurallog/server:1.4.2", env: [{ name: "A", value: pulumi.secret("b") }], ports: [{ containerPort: 3030 }] }] } },
        },
    };
    await rpc.serializeResourceProperties("deployment", deployment, {});
    const delegatedForDeployment = delegated;
    rpc.serializeProperty = sdkSerializeProperty;
    const mismatches: unknown[] = [];
    // The last entry: each holder Output's own resources after the run.
    sdk.forEach((expected, i) => {
        const differs = where(ours[i], expected);
        if (differs && mismatches.length < 3) mismatches.push({ case: i, entry: cases[i]?.entry ?? "holders' resources", variant: cases[i]?.variant, differs });
    });
    process.stdout.write(JSON.stringify({ installed, compared: cases.length, mismatches, delegatedForDeployment }) + "\n");
}

main().catch((e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exit(1);
});
