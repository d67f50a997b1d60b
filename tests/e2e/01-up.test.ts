/** Promise: `pulumi up` of each environment completes with every workload Ready, and a second up changes nothing. */
import * as assert from "assert";
import { env } from "./hooks";
import { kubectlJson, leftInTmp, waitFor, workloadReadiness } from "./support";

for (const name of ["test", "production"] as const) {
    describe(`up: ${name}`, () => {
        it(`creates the whole ${name} stack with every workload Ready`, async () => {
            const e = env(name);
            const result = await e.up();
            assert.strictEqual(result.summary.result, "succeeded");
            const workloads = await workloadReadiness(e.cluster);
            const config = e.readConfig().config;
            // System server + one server and one Redis per tenant, at least.
            assert.ok(workloads.length >= 2 + 2 * config["neurallog:tenants"].length, JSON.stringify(workloads));
            // Where an HPA owns the replica count, it scales the Deployment up after the
            // engine has seen its first replica Ready: those converge within a minute.
            const notReady = await waitFor("every workload Ready", async () => {
                const pending = (await workloadReadiness(e.cluster)).filter((w: any) => w.ready < w.want);
                return pending.length === 0 ? pending : undefined;
            }, 60);
            assert.deepStrictEqual(notReady, [], "workloads not Ready");
            const tenants = await kubectlJson(e.cluster, "get", "tenants");
            assert.deepStrictEqual(
                tenants.items.map((t: any) => t.metadata.name).sort(),
                config["neurallog:tenants"].map((t: any) => t.tenantId).sort(),
            );
        });

        it(`binds every data volume of ${name} on a WaitForFirstConsumer class, each mounted by its store's pod`, async () => {
            const e = env(name);
            // Data volumes (storage-type label); the backup volume binds when a backup job first mounts it.
            const claims = (await kubectlJson(e.cluster, "get", "pvc", "-A", "-l", "app.kubernetes.io/part-of=neurallog,neurallog.io/storage-type")).items;
            const tenants = e.readConfig().config["neurallog:tenants"];
            assert.ok(claims.length >= 1 + tenants.length, `${claims.length} claims`);
            for (const cls of new Set<string>(claims.map((p: any) => p.spec.storageClassName))) {
                const sc = await kubectlJson(e.cluster, "get", "storageclass", cls);
                assert.strictEqual(sc.volumeBindingMode, "WaitForFirstConsumer", cls);
            }
            const pods = (await kubectlJson(e.cluster, "get", "pods", "-A")).items;
            const mounted = new Set(
                pods.flatMap((p: any) => (p.spec.volumes ?? []).filter((v: any) => v.persistentVolumeClaim).map((v: any) => `${p.metadata.namespace}/${v.persistentVolumeClaim.claimName}`)),
            );
            for (const p of claims) {
                const key = `${p.metadata.namespace}/${p.metadata.name}`;
                assert.ok(mounted.has(key), `${key} is mounted by no pod`);
                assert.strictEqual(p.status.phase, "Bound", `${key} is ${p.status.phase}`);
            }
            for (const t of tenants) {
                assert.ok(claims.some((p: any) => p.metadata.namespace === `tenant-${t.tenantId}`), `tenant ${t.tenantId} has no data volume`);
            }
        });

        it(`routes every Service of ${name} to ready pods, which the up no longer waits ten seconds for`, async () => {
            const e = env(name);
            // Services skip the provider's endpoint-settling wait (components/awaits.ts): what
            // that wait checked, a ready pod behind each Service, must hold right after the up.
            const services = (await kubectlJson(e.cluster, "get", "services", "-A", "-l", "app.kubernetes.io/part-of=neurallog")).items;
            assert.ok(services.length >= 2 * e.readConfig().config["neurallog:tenants"].length, `${services.length} Services`);
            const empty = await waitFor("a ready endpoint behind every Service", async () => {
                const slices = (await kubectlJson(e.cluster, "get", "endpointslices", "-A")).items;
                const ready = new Set(
                    slices
                        .filter((sl: any) => (sl.endpoints ?? []).some((x: any) => x.conditions?.ready))
                        .map((sl: any) => `${sl.metadata.namespace}/${sl.metadata.labels?.["kubernetes.io/service-name"]}`),
                );
                const missing = services.map((sv: any) => `${sv.metadata.namespace}/${sv.metadata.name}`).filter((k: string) => !ready.has(k));
                return missing.length === 0 ? missing : undefined;
            }, 15);
            assert.deepStrictEqual(empty, []);
        });

        it(`reports no changes on a second up of ${name}`, async () => {
            const e = env(name);
            const result = await e.up();
            // `read` is the program reading its own last outputs (components/offboarding.ts): no change.
            const changed = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => !["same", "read"].includes(op));
            assert.deepStrictEqual(changed, [], "second up changed resources");
            await e.preview({ expectNoChanges: true });
        });

        it(`leaves nothing of ${name}'s runs in the temporary directory, no copy of the kubeconfig above all`, () => {
            // Two ups and a preview so far, each with the CLI, the language host, the program
            // and the kubernetes provider, all with this TMPDIR.
            assert.deepStrictEqual(leftInTmp(env(name).tmpDir), []);
        });
    });
}

describe("replicated stores: production", () => {
    it("sends Redis clients only to the ready primary; the peers Service lists every member", async () => {
        const e = env("production");
        const config = e.readConfig().config;
        const ns = config["neurallog:namespace"];
        const replicas = config["neurallog:dataStores"].redis.replicas;
        assert.ok(replicas > 1, "production runs Redis replicas");
        const members = async (service: string) => {
            const slices = (await kubectlJson(e.cluster, "get", "endpointslices", "-n", ns, "-l", `kubernetes.io/service-name=${service}`)).items;
            return slices.flatMap((s: any) => (s.endpoints ?? []).map((x: any) => ({ pod: x.targetRef?.name, ready: x.conditions?.ready })));
        };
        assert.deepStrictEqual(await members("redis"), [{ pod: "redis-0", ready: true }]);
        const peers = (await members("redis-peers")).map((m: any) => m.pod).sort();
        assert.deepStrictEqual(peers, Array.from({ length: replicas }, (_, i) => `redis-${i}`));
    });
});

describe("monitoring, mesh, VPA and backups: production", () => {
    it("holds every object they need, live, as the real CRDs admitted them through `pulumi up`", async () => {
        const e = env("production");
        const config = e.readConfig().config;
        const ns = config["neurallog:namespace"];
        assert.strictEqual(config["neurallog:observability"].enabled && config["neurallog:mesh"].enabled && config["neurallog:backups"].enabled, true);
        const names = async (kind: string, namespace = ns) =>
            (await kubectlJson(e.cluster, "get", kind, "-n", namespace)).items.map((o: any) => o.metadata.name).sort();

        // Observability: a ServiceMonitor per scraped component, the rules, the dashboards.
        const monitors = await names("servicemonitors.monitoring.coreos.com");
        for (const s of config["neurallog:services"].filter((s: any) => s.metricsPort)) assert.ok(monitors.includes(s.name), `no ServiceMonitor for ${s.name}`);
        assert.ok(monitors.includes("redis"), "the Redis exporter is scraped");
        const rules = (await kubectlJson(e.cluster, "get", "prometheusrules.monitoring.coreos.com", "-n", ns)).items;
        const alerts = rules.flatMap((r: any) => r.spec.groups.flatMap((g: any) => g.rules.map((x: any) => x.alert)));
        assert.ok(alerts.length >= 25, `${alerts.length} alerts`);

        // Mesh: every namespace of the stack injected, strict, deny-by-default.
        const namespaces = [ns, ...config["neurallog:tenants"].map((t: any) => `tenant-${t.tenantId}`)];
        for (const n of namespaces) {
            const live = await kubectlJson(e.cluster, "get", "namespace", n);
            assert.strictEqual(live.metadata.labels["istio-injection"], "enabled", n);
            const pa = await kubectlJson(e.cluster, "get", "peerauthentications.security.istio.io", "default", "-n", n);
            assert.strictEqual(pa.spec.mtls.mode, "STRICT", n);
            assert.ok((await names("authorizationpolicies.security.istio.io", n)).includes("allow-nothing"), n);
        }
        const api = config["neurallog:services"].find((s: any) => s.traffic);
        assert.deepStrictEqual(await names("virtualservices.networking.istio.io"), [api.name]);
        assert.deepStrictEqual(await names("destinationrules.networking.istio.io"), [api.name]);

        // VPA, recommendation mode, where the config asks.
        const vpas = (await kubectlJson(e.cluster, "get", "verticalpodautoscalers.autoscaling.k8s.io", "-n", ns)).items;
        const asked = config["neurallog:services"].filter((s: any) => s.vpa?.enabled).map((s: any) => s.name).sort();
        assert.deepStrictEqual(vpas.map((v: any) => v.metadata.name).sort(), asked);
        assert.ok(vpas.every((v: any) => v.spec.updatePolicy.updateMode === "Off"));

        // Backups: the three CronJobs and the kept volume.
        assert.deepStrictEqual(await names("cronjobs"), ["neo4j-dump", "qdrant-snapshot", "volume-snapshots"]);
        assert.ok((await names("pvc")).includes("neurallog-backups"));
    });
});
