/**
 * The Istio mesh (components/mesh.ts): off by default; on, every namespace the stack owns
 * is injected, strict mTLS and deny-by-default, and the ALLOW policies grant at L7 what
 * the config grants at L3/L4.
 */
import * as assert from "assert";
import { inNamespace, ofType, Registered, Run, runProgram, runStack, stackConfig } from "./harness";

const AP = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
const PA = "kubernetes:security.istio.io/v1:PeerAuthentication";
const istioObjects = (run: Run) => run.resources.filter((r) => /istio\.io\//.test(r.type));
const named = (objects: Registered[], name: string) => objects.find((o) => o.inputs.metadata.name === name);

describe("mesh (Istio)", () => {
    let test: Run;
    let prod: Run;
    const prodConfig = stackConfig("production");
    before(async () => {
        test = await runStack("test");
        prod = await runStack("production");
        assert.ifError(test.error);
        assert.ifError(prod.error);
    });

    it("is off unless the stack turns it on: no Istio object, no injection label", () => {
        assert.notStrictEqual(stackConfig("test").mesh?.enabled, true);
        assert.deepStrictEqual(istioObjects(test), []);
        assert.deepStrictEqual(ofType(test, "kubernetes:core/v1:Namespace").filter((n) => n.inputs.metadata.labels["istio-injection"]), []);
    });

    it("injects every namespace of the stack and gives each strict mTLS and an allow-nothing baseline", () => {
        assert.strictEqual(prodConfig.mesh.enabled, true);
        const namespaces = ofType(prod, "kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata);
        assert.ok(namespaces.length > 1);
        for (const ns of namespaces) {
            assert.strictEqual(ns.labels["istio-injection"], "enabled", ns.name);
            const objects = inNamespace(prod, ns.name);
            assert.deepStrictEqual(named(objects.filter((o) => o.type === PA), "default")?.inputs.spec, { mtls: { mode: "STRICT" } }, ns.name);
            const nothing = named(objects.filter((o) => o.type === AP), "allow-nothing")?.inputs.spec;
            assert.deepStrictEqual(nothing, { action: "ALLOW" }, `${ns.name}: an ALLOW policy with no rules denies everything else`);
        }
    });

    it("lets each store accept only the accounts of the workloads the config grants it (plus its members and backup job)", () => {
        const ns = prodConfig.namespace;
        const workloads = [{ name: "neurallog-server", accessTo: ["redis"] }, ...prodConfig.services];
        for (const kind of ["redis", "postgres", "qdrant", "neo4j"]) {
            const policy = named(inNamespace(prod, ns).filter((o) => o.type === AP), `${kind}-ingress`);
            assert.ok(policy, `${kind}-ingress`);
            const principals: string[] = policy.inputs.spec.rules[0].from[0].source.principals;
            const granted = workloads.filter((w: any) => (w.accessTo ?? []).includes(kind)).map((w: any) => `cluster.local/ns/${ns}/sa/${w.name}`);
            assert.ok(granted.length > 0, kind);
            for (const p of granted) assert.ok(principals.includes(p), `${kind} must admit ${p}`);
            const others = principals.filter((p) => !granted.includes(p)).map((p) => p.split("/sa/")[1]);
            // Its own members by the store's own account (never the namespace's default), and its backup job.
            assert.ok(others.includes(kind) && others.every((a) => a === kind || a === `backup-${kind}`), `${kind} admits ${others}`);
            const sts = ofType(prod, "kubernetes:apps/v1:StatefulSet").find((x) => x.inputs.metadata.name === kind && x.inputs.metadata.namespace === ns)!;
            assert.strictEqual(sts.inputs.spec.template.spec.serviceAccountName, kind);
            assert.deepStrictEqual(policy.inputs.spec.selector.matchLabels["app.kubernetes.io/name"], kind);
        }
    });

    it("keeps a tenant to its own namespace, and the server reachable from it by a policy the tenant's slice owns", () => {
        const t = prodConfig.tenants[0];
        const ns = `tenant-${t.tenantId}`;
        const isolation = named(inNamespace(prod, ns).filter((o) => o.type === AP), "tenant-isolation")!;
        const rules = isolation.inputs.spec.rules;
        assert.deepStrictEqual(rules[0], { from: [{ source: { namespaces: [ns] } }] });
        // Every other rule is limited to ports.
        for (const r of rules.slice(1)) assert.ok(r.to?.[0]?.operation?.ports?.length > 0, JSON.stringify(r));
        const serverSide = named(inNamespace(prod, prodConfig.namespace).filter((o) => o.type === AP), `neurallog-server-from-${ns}`)!;
        assert.deepStrictEqual(serverSide.inputs.spec.rules[0].from[0].source.namespaces, [ns]);
        assert.ok(serverSide.name.startsWith(`tenant-${t.tenantId}-`), `${serverSide.name} must belong to the tenant's slice`);
    });

    it("renders the MLCF API's VirtualService and DestinationRule from its traffic config", () => {
        const api = prodConfig.services.find((s: any) => s.traffic);
        assert.ok(api, "production gives a service traffic settings");
        const host = `${api.name}.${prodConfig.namespace}.svc.cluster.local`;
        const vs = named(ofType(prod, "kubernetes:networking.istio.io/v1:VirtualService"), api.name)!;
        assert.deepStrictEqual(vs.inputs.spec.hosts, [host]);
        assert.deepStrictEqual(vs.inputs.spec.http[0].route[0].destination, { host, port: { number: api.port } });
        assert.ok(vs.inputs.spec.http[0].timeout && vs.inputs.spec.http[0].retries.attempts > 0);
        const dr = named(ofType(prod, "kubernetes:networking.istio.io/v1:DestinationRule"), api.name)!;
        const tp = dr.inputs.spec.trafficPolicy;
        assert.strictEqual(tp.loadBalancer.simple, "LEAST_REQUEST");
        assert.ok(tp.outlierDetection.consecutive5xxErrors > 0 && tp.connectionPool.http.http1MaxPendingRequests > 0);
        const services = prodConfig.services.filter((s: any) => !s.traffic).map((s: any) => s.name);
        assert.deepStrictEqual(ofType(prod, "kubernetes:networking.istio.io/v1:VirtualService").filter((v) => services.includes(v.inputs.metadata.name)), []);
    });

    it("carries a service's own traffic numbers through", async () => {
        const config = structuredClone(prodConfig);
        const api = config.services.find((s: any) => s.traffic);
        api.traffic = { timeout: "7s", retries: { attempts: 5 }, outlierDetection: { consecutive5xxErrors: 9 } };
        const run = await runProgram(config, "production");
        assert.ifError(run.error);
        const vs = named(ofType(run, "kubernetes:networking.istio.io/v1:VirtualService"), api.name)!;
        assert.strictEqual(vs.inputs.spec.http[0].timeout, "7s");
        assert.strictEqual(vs.inputs.spec.http[0].retries.attempts, 5);
        const dr = named(ofType(run, "kubernetes:networking.istio.io/v1:DestinationRule"), api.name)!;
        assert.strictEqual(dr.inputs.spec.trafficPolicy.outlierDetection.consecutive5xxErrors, 9);
    });
});
