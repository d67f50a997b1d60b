/**
 * Measurement A, in its own process so the heap is the program's alone: the program
 * (components/program.ts) registers the whole graph of an N-tenant fleet under the mock
 * runtime. Prints one JSON line: { tenants, resources, ms, peakHeapMiB, maxRssMiB }.
 *
 *   node -r ts-node/register/transpile-only bench/register.ts <tenants>
 */
import * as pulumi from "@pulumi/pulumi";
import { NO_LIVE_VOLUMES } from "../components/volumes";
import { fleetConfig } from "./fleet";

async function main() {
    const tenants = Number(process.argv[2]);
    let resources = 0;
    let peakHeap = 0;
    const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
    const timer = setInterval(sample, 10);
    const config = fleetConfig(tenants);
    const start = process.hrtime.bigint();
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                resources++;
                // A generated credential's value, as its provider would return it.
                if (a.type.includes("GeneratedCredential")) return { id: a.name, state: { ...a.inputs, value: `generated-${a.name}` } };
                const state = a.inputs.metadata && !a.inputs.metadata.name ? { ...a.inputs, metadata: { ...a.inputs.metadata, name: `${a.name}-x` } } : a.inputs;
                return { id: `${a.name}-id`, state };
            },
            call: (a) => a.inputs,
        },
        "neurallog",
        "bench",
        false,
        "organization",
    );
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`neurallog:${k}`, typeof v === "string" ? v : JSON.stringify(v)])));
    await pulumi.runtime.runInPulumiStack(async () => {
        const { main } = await import("../components/program");
        const wanted = config.cluster as { context: string };
        return main({
            readLive: async () => new Map(),
            readVolumes: async () => NO_LIVE_VOLUMES,
            readOwners: async () => new Map(),
            kubeconfig: async () => ({
                currentContext: wanted.context,
                contexts: [{ name: wanted.context, cluster: "bench" }],
                clusters: [{ name: "bench", server: "https://127.0.0.1:6443" }],
                source: "bench",
            }),
        });
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    sample();
    clearInterval(timer);
    const mib = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
    process.stdout.write(JSON.stringify({ tenants, resources, ms: Math.round(ms), peakHeapMiB: mib(peakHeap), maxRssMiB: mib(process.resourceUsage().maxRSS * 1024) }) + "\n");
}

main().catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
});
