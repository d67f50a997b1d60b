/**
 * What a tenant's pods can reach, and what can reach them, read from the NetworkPolicies
 * the program registers for both stacks (tests/support/netpol.ts applies the API's
 * semantics). Each case is a connection a security reviewer would try.
 */
import * as assert from "assert";
import { Policy, Pod, connectionAllowed } from "../support/netpol";
import { Registered, runProgram, stackConfig } from "./harness";

const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

interface Rendered {
    policies: Policy[];
    /** Pods of each workload, by `<namespace>/<name>`, with their template labels. */
    pods: Map<string, Pod>;
    /** The container ports of each workload's pods, by the same key. */
    ports: Map<string, number[]>;
    /** The StatefulSets' pods (the data stores), by the same key. */
    stores: Set<string>;
    namespaces: Map<string, Record<string, string>>;
}

async function render(stack: string, config = stackConfig(stack)): Promise<Rendered> {
    const run = await runProgram(config, stack);
    assert.ifError(run.error);
    const of = (type: string) => run.resources.filter((r: Registered) => r.type === type);
    const namespaces = new Map<string, Record<string, string>>(
        of("kubernetes:core/v1:Namespace").map((r) => [r.inputs.metadata.name, r.inputs.metadata.labels ?? {}]),
    );
    const pods = new Map<string, Pod>();
    const ports = new Map<string, number[]>();
    const stores = new Set<string>();
    for (const r of [...of("kubernetes:apps/v1:Deployment"), ...of("kubernetes:apps/v1:StatefulSet")]) {
        const ns = r.inputs.metadata.namespace;
        const key = `${ns}/${r.inputs.metadata.name}`;
        pods.set(key, { namespace: ns, labels: r.inputs.spec.template.metadata.labels, namespaceLabels: namespaces.get(ns) });
        ports.set(key, r.inputs.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort)));
        if (r.type === "kubernetes:apps/v1:StatefulSet") stores.add(key);
    }
    const policies = of(POLICY).map((r) => ({ namespace: r.inputs.metadata.namespace, spec: r.inputs.spec }));
    assert.ok(policies.length > 0 && pods.size > 0, "the program registered no policies or workloads");
    return { policies, pods, ports, stores, namespaces };
}

const pod = (r: Rendered, key: string): Pod => {
    const p = r.pods.get(key);
    assert.ok(p, `no workload ${key} (have ${[...r.pods.keys()].join(", ")})`);
    return p;
};
const dnsPod: Pod = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
const apiServerPod: Pod = { namespace: "kube-system", labels: { component: "kube-apiserver" } };
/** A namespace without policies of its own, as most clusters have. */
const legacyPod: Pod = { namespace: "legacy", labels: { app: "web" } };

for (const stack of ["test", "production"]) {
    describe(`network isolation of the ${stack} stack`, () => {
        let r: Rendered;
        let tenants: string[];
        let system: string;
        // Each case renders its own graph: mutation testing (per-test coverage) credits the
        // policy code a hook runs to one test only, so a shared render hid most cases from it.
        beforeEach(async () => {
            r = await render(stack);
            system = stackConfig(stack).namespace;
            tenants = [...r.namespaces.keys()].filter((n) => n.startsWith("tenant-"));
            assert.ok(tenants.length >= 2, `expected at least two tenants, got ${tenants}`);
        });
        const server = (ns: string) => pod(r, `${ns}/neurallog-server`);
        /** A pod of the system namespace that no policy names. */
        const stray = (): Pod => ({ namespace: system, labels: { app: "debug-shell" }, namespaceLabels: r.namespaces.get(system) });

        it("never lets a tenant reach the metadata endpoint, the pod range or the service range", () => {
            for (const t of tenants) {
                for (const ip of ["169.254.169.254", "10.244.3.7", "10.96.0.1"]) {
                    for (const port of [80, 443]) {
                        assert.strictEqual(connectionAllowed(r.policies, server(t), { ip }, port), false, `${t} → ${ip}:${port}`);
                    }
                }
            }
        });

        it("allows web egress only where the stack's network.egressCidrs allow it", () => {
            const allowed = (stackConfig(stack).network?.egressCidrs ?? []).length > 0;
            for (const t of tenants) {
                assert.strictEqual(connectionAllowed(r.policies, server(t), { ip: "93.184.216.34" }, 443), allowed, `${t} → internet:443`);
                assert.strictEqual(connectionAllowed(r.policies, server(t), { ip: "93.184.216.34" }, 22), false, `${t} → internet:22`);
            }
        });

        it("sends DNS only to the cluster DNS pods", () => {
            for (const t of tenants) {
                assert.ok(connectionAllowed(r.policies, server(t), dnsPod, 53, "UDP"), `${t} → kube-dns:53/UDP`);
                assert.ok(connectionAllowed(r.policies, server(t), dnsPod, 53, "TCP"), `${t} → kube-dns:53/TCP`);
                assert.strictEqual(connectionAllowed(r.policies, server(t), apiServerPod, 53, "UDP"), false, `${t} → other kube-system pod:53`);
                assert.strictEqual(connectionAllowed(r.policies, server(t), dnsPod, 443), false, `${t} → kube-dns:443`);
            }
        });

        it("opens the system namespace to a tenant only at the platform server's port", () => {
            const systemPods = [...r.pods.entries()].filter(([k]) => k.startsWith(`${system}/`));
            assert.ok(systemPods.length >= 2, "expected the server and at least one store in the system namespace");
            for (const t of tenants) {
                for (const [key, target] of systemPods) {
                    for (const port of [3030, 5432, 6379, 8000, 8080]) {
                        const expected = key === `${system}/neurallog-server` && port === 3030;
                        assert.strictEqual(connectionAllowed(r.policies, server(t), target, port), expected, `${t} → ${key}:${port}`);
                    }
                }
            }
        });

        it("keeps tenants apart from each other and from namespaces without policies", () => {
            for (const a of tenants) {
                assert.strictEqual(connectionAllowed(r.policies, server(a), legacyPod, 80), false, `${a} → legacy:80`);
                assert.strictEqual(connectionAllowed(r.policies, legacyPod, server(a), 3030), false, `legacy → ${a}:3030`);
                for (const b of tenants.filter((x) => x !== a)) {
                    for (const port of [3030, 6379]) {
                        const target = port === 3030 ? server(b) : pod(r, `${b}/redis`);
                        assert.strictEqual(connectionAllowed(r.policies, server(a), target, port), false, `${a} → ${b}:${port}`);
                    }
                }
                assert.ok(connectionAllowed(r.policies, server(a), pod(r, `${a}/redis`), 6379), `${a} → its own redis`);
            }
        });

        it("denies by default in the system namespace: a pod no policy names reaches DNS and nothing else, and nothing from outside reaches it", () => {
            const unnamed = stray();
            assert.ok(connectionAllowed(r.policies, unnamed, dnsPod, 53, "UDP"), "stray → kube-dns:53/UDP");
            assert.strictEqual(connectionAllowed(r.policies, unnamed, legacyPod, 80), false, "stray → legacy:80");
            assert.strictEqual(connectionAllowed(r.policies, unnamed, { ip: "93.184.216.34" }, 443), false, "stray → internet:443");
            for (const from of [legacyPod, server(tenants[0])]) {
                assert.strictEqual(connectionAllowed(r.policies, from, unnamed, 8080), false, `${from.namespace} → stray:8080`);
            }
            assert.strictEqual(connectionAllowed(r.policies, unnamed, server(system), 3030), false, "stray → its namespace's server (no egress of its own)");
        });

        it("opens each platform store only to pods labelled for it, at its own ports", () => {
            const systemStores = [...r.stores].filter((k) => k.startsWith(`${system}/`));
            assert.ok(systemStores.length >= 1, `no data store in ${system}`);
            const access = Object.fromEntries(Object.entries(server(system).labels).filter(([k]) => k.startsWith("neurallog.io/access-")));
            assert.ok(Object.keys(access).length >= 1, "the server carries no access label");
            const unlabelled = stray();
            const labelled: Pod = { ...unlabelled, labels: { app: "debug-shell", ...access } };
            let reached = 0;
            for (const key of systemStores) {
                const target = pod(r, key);
                const ports = r.ports.get(key) ?? [];
                assert.ok(ports.length > 0, `${key} declares no port`);
                for (const port of ports) {
                    const byServer = connectionAllowed(r.policies, server(system), target, port);
                    reached += byServer ? 1 : 0;
                    assert.strictEqual(connectionAllowed(r.policies, labelled, target, port), byServer, `a pod with the server's access labels → ${key}:${port}`);
                    assert.strictEqual(connectionAllowed(r.policies, unlabelled, target, port), false, `an unlabelled pod → ${key}:${port}`);
                    assert.strictEqual(connectionAllowed(r.policies, server(tenants[0]), target, port), false, `${tenants[0]} → ${key}:${port}`);
                }
                assert.strictEqual(connectionAllowed(r.policies, server(system), target, 1), false, `the server → ${key}:1`);
            }
            assert.ok(reached > 0, "the server reaches none of its stores");
        });

        it("lets the monitoring namespace scrape the server only when observability is on, and never a store's data port", () => {
            const observability = stackConfig(stack).observability ?? {};
            const prometheus: Pod = { namespace: observability.monitoringNamespace ?? "monitoring", labels: { app: "prometheus" } };
            assert.strictEqual(connectionAllowed(r.policies, prometheus, server(system), 3030), observability.enabled === true, "prometheus → server:3030");
            for (const key of [...r.stores].filter((k) => k.startsWith(`${system}/`))) {
                for (const port of [5432, 6379, 7687]) {
                    assert.strictEqual(connectionAllowed(r.policies, prometheus, pod(r, key), port), false, `prometheus → ${key}:${port}`);
                }
            }
        });

        it("admits tenant namespaces to the server by name, not by a label anyone can set", () => {
            for (const t of tenants) assert.ok(connectionAllowed(r.policies, server(t), server(system), 3030), `${t} → server`);
            const forged: Pod = { namespace: "attacker", labels: {}, namespaceLabels: { ...r.namespaces.get(tenants[0]) } };
            assert.ok(Object.keys(forged.namespaceLabels!).some((k) => k.startsWith("neurallog.io/")), "the copied tenant labels");
            assert.strictEqual(connectionAllowed(r.policies, forged, server(system), 3030), false);
        });
    });
}

describe("a tenant's own network rules", () => {
    it("admit exactly the pods, namespaces and ports they name", async () => {
        const config = stackConfig("test");
        const t = config.tenants.find((x: any) => x.networkPolicy?.ingressRules?.length);
        assert.ok(t, "the test stack has a tenant with an ingress rule");
        // Only the rule, not the allowedNamespaces list, decides here.
        t.networkPolicy = { ingressRules: [{ description: "prometheus", from: { app: "prometheus" }, namespaces: ["monitoring"], ports: [{ port: 9100 }] }] };
        const r = await render("test", config);
        const target = pod(r, `tenant-${t.tenantId}/neurallog-server`);
        const prometheus = (namespace: string, labels = { app: "prometheus" }): Pod => ({ namespace, labels });
        assert.ok(connectionAllowed(r.policies, prometheus("monitoring"), target, 9100));
        assert.strictEqual(connectionAllowed(r.policies, prometheus("monitoring"), target, 9101), false, "another port");
        assert.strictEqual(connectionAllowed(r.policies, prometheus("legacy"), target, 9100), false, "the same label in another namespace");
        assert.strictEqual(connectionAllowed(r.policies, prometheus("monitoring", { app: "grafana" }), target, 9100), false, "another pod of the namespace");
    });

    it("let a tenant's pods out exactly to the pods, namespaces and ports an egress rule names", async () => {
        const config = stackConfig("test");
        const t = config.tenants[0];
        t.networkPolicy = { egressRules: [{ description: "search", to: { app: "search" }, namespaces: ["shared"], ports: [{ port: 9200 }] }] };
        const r = await render("test", config);
        const source = pod(r, `tenant-${t.tenantId}/neurallog-server`);
        const search = (namespace: string, labels = { app: "search" }): Pod => ({ namespace, labels });
        assert.ok(connectionAllowed(r.policies, source, search("shared"), 9200));
        assert.strictEqual(connectionAllowed(r.policies, source, search("shared"), 9300), false, "another port");
        assert.strictEqual(connectionAllowed(r.policies, source, search("legacy"), 9200), false, "the same label in another namespace");
        assert.strictEqual(connectionAllowed(r.policies, source, search("shared", { app: "cache" }), 9200), false, "another pod of the namespace");
        assert.strictEqual(connectionAllowed(r.policies, search("shared"), source, 3030), false, "an egress rule opens no way in");
    });
});
