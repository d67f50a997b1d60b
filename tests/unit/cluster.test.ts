/**
 * A stack deploys only to the cluster its config names, and only where no other stack
 * owns the cluster's NeuralLog objects; both are refused before anything is registered.
 */
import * as assert from "assert";
import { KubeconfigView, OWNER_ANNOTATION, resolveClusterTarget } from "../../components/cluster";
import { ConfigError } from "../../components/config";
import { configProblems, Run, runProgram, stackConfig } from "./harness";

const view = (current: string, servers: Record<string, string>): KubeconfigView => ({
    currentContext: current,
    contexts: Object.keys(servers).map((name) => ({ name, cluster: `${name}-cluster` })),
    clusters: Object.entries(servers).map(([name, server]) => ({ name: `${name}-cluster`, server })),
    source: "KUBECONFIG (test)",
});
const registered = (r: Run) => r.resources.filter((x) => x.type !== "pulumi:pulumi:Stack");

describe("the stack's cluster", () => {
    const prod = stackConfig("production");

    it("uses the context the config names, whatever context is current", () => {
        const target = resolveClusterTarget(prod.cluster, view("kind-test", { "kind-test": "https://127.0.0.1:1", [prod.cluster.context]: prod.cluster.server }));
        assert.deepStrictEqual(target, { context: prod.cluster.context, server: prod.cluster.server });
    });

    it("refuses a context that points at another API server, and a context the kubeconfig lacks", () => {
        const moved = view(prod.cluster.context, { [prod.cluster.context]: "https://127.0.0.1:6443" });
        assert.throws(
            () => resolveClusterTarget(prod.cluster, moved),
            (e: any) => e instanceof ConfigError && /^neurallog:cluster\.server is https:\/\/\S+ but context "neurallog-production" of KUBECONFIG \(test\) points at https:\/\/127\.0\.0\.1:6443; this stack refuses/.test(e.problems[0].path + " " + e.problems[0].message),
        );
        assert.throws(
            () => resolveClusterTarget(prod.cluster, view("kind-test", { "kind-test": "https://127.0.0.1:1" })),
            (e: any) => e instanceof ConfigError && e.problems[0].path === "neurallog:cluster.context" && /is not a context of KUBECONFIG \(test\) \(contexts: kind-test\)/.test(e.problems[0].message),
        );
    });

    it("registers nothing when the kubeconfig points at another cluster", async () => {
        const run = await runProgram(prod, "production", {}, new Map(), view(prod.cluster.context, { [prod.cluster.context]: "https://test-cluster:6443" }));
        assert.ok(run.error instanceof ConfigError, `not refused: ${run.error}`);
        assert.deepStrictEqual(registered(run).map((r) => r.name), []);
    });

    it("gives the provider exactly that context", async () => {
        const run = await runProgram(prod, "production");
        assert.ifError(run.error);
        const providers = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        assert.strictEqual(providers.length, 1);
        assert.strictEqual(providers[0].inputs.context, prod.cluster.context);
    });
});

describe("cluster-scoped objects belong to one stack", () => {
    const config = stackConfig("test");
    const me = "organization/neurallog/test";

    it("marks every cluster-scoped object with the stack that owns it", async () => {
        const run = await runProgram(config, "test");
        assert.ifError(run.error);
        const scoped = run.resources.filter((r) => /:(Namespace|CustomResourceDefinition|ClusterRole|Tenant)$/.test(r.type));
        assert.ok(scoped.length >= 3 + config.tenants.length * 2, `${scoped.length} cluster-scoped objects`);
        for (const r of scoped) assert.strictEqual(r.inputs.metadata.annotations?.[OWNER_ANNOTATION], me, `${r.type} ${r.name}`);
        const namespaced = run.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
        assert.strictEqual(namespaced.inputs.metadata.annotations?.[OWNER_ANNOTATION], undefined);
    });

    it("refuses, before registering anything, to take over objects another stack owns", async () => {
        const other = "organization/neurallog/staging";
        const owners = new Map([
            [`Namespace/tenant-${config.tenants[1].tenantId}`, other],
            ["CustomResourceDefinition/tenants.neurallog.io", other],
        ]);
        const run = await runProgram(config, "test", {}, new Map(), undefined, undefined, owners);
        assert.ok(run.error instanceof ConfigError, `not refused: ${run.error}`);
        const problems = run.error.problems.map((p) => `${p.path} ${p.message}`);
        assert.ok(problems.some((p) => p.startsWith(`neurallog:tenants[1].tenantId Namespace tenant-${config.tenants[1].tenantId} on https://127.0.0.1:6443 belongs to stack ${other}`)), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("neurallog:cluster CustomResourceDefinition tenants.neurallog.io")), problems.join("\n"));
        assert.deepStrictEqual(registered(run).map((r) => r.name), []);
    });

    it("goes ahead over its own objects and over unmarked ones", async () => {
        const owners = new Map<string, string | undefined>([
            ["CustomResourceDefinition/tenants.neurallog.io", me],
            [`Namespace/tenant-${config.tenants[0].tenantId}`, undefined],
        ]);
        const run = await runProgram(config, "test", {}, new Map(), undefined, undefined, owners);
        assert.ifError(run.error);
    });
});

describe("the provider's client rate (cluster.qps, cluster.burst)", () => {
    const provider = (run: Run) => run.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;

    it("defaults to 1000 queries per second with a burst of 2000, and takes the stack's values", async () => {
        const defaults = await runProgram(stackConfig("test"));
        assert.ifError(defaults.error);
        assert.deepStrictEqual(JSON.parse(provider(defaults).inputs.kubeClientSettings), { qps: 1000, burst: 2000 });
        const config = stackConfig("test");
        config.cluster = { ...config.cluster, qps: 75, burst: 150 };
        const set = await runProgram(config);
        assert.ifError(set.error);
        assert.deepStrictEqual(JSON.parse(provider(set).inputs.kubeClientSettings), { qps: 75, burst: 150 });
    });

    it("refuses a burst below the rate, naming the key", () => {
        const config = stackConfig("test");
        config.cluster = { ...config.cluster, qps: 300, burst: 100 };
        assert.deepStrictEqual(configProblems(config), ["neurallog:cluster.burst 100 must be at least cluster.qps (300)"]);
    });
});
