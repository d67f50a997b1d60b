/**
 * Both real stacks (Pulumi.test.yaml, Pulumi.production.yaml) under mocks: what every
 * user of either environment relies on.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { evaluate } from "../../policies";
import { PLAN_CATALOGUE, PlanId } from "../../components/plans";
import { inNamespace, ofType, podSpecs, promiseOf, ROOT, Run, runStack, stackConfig } from "./harness";

const seedQuotas: Record<string, Record<string, string>> = Object.fromEntries(
    YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, "tests/fixtures/seed-plan-quotas.yaml"), "utf8")).map((d) => {
        const q = d.toJS();
        return [q.metadata.name.replace(/^tenant-|-quota$/g, ""), q.spec.hard];
    }),
);

const seedLimitRange = YAML.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/seed-limitrange.yaml"), "utf8"));
const seedLimit = (type: string) => seedLimitRange.spec.limits.find((l: any) => l.type === type);

for (const stack of ["test", "production"]) {
    describe(`stack ${stack}`, function () {
        let run: Run;
        const config = stackConfig(stack);
        const tenants: any[] = config.tenants;
        const systemNs: string = config.namespace;

        before(async function () {
            this.timeout(120000);
            run = await runStack(stack);
            if (run.error) throw run.error;
        });

        it("deploys into the configured system namespace", () => {
            const namespaces = ofType(run, "kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name);
            assert.ok(namespaces.includes(systemNs), `namespaces ${namespaces} lack ${systemNs}`);
            const server = ofType(run, "kubernetes:apps/v1:Deployment").find(
                (d) => d.inputs.metadata.name === "neurallog-server" && d.inputs.metadata.namespace === systemNs,
            );
            assert.ok(server, "no neurallog-server Deployment in the system namespace");
            const c = server!.inputs.spec.template.spec.containers[0];
            assert.deepStrictEqual(c.ports.find((p: any) => p.name === "http").containerPort, 3030);
            assert.deepStrictEqual(
                c.env.map((e: any) => e.name).filter((n: string) => ["NODE_ENV", "PORT", "REDIS_URL", "LOG_LEVEL"].includes(n)),
                ["NODE_ENV", "PORT", "REDIS_URL", "LOG_LEVEL"],
            );
            assert.strictEqual(c.readinessProbe.httpGet.path, "/health");
            assert.deepStrictEqual(c.resources.requests, { cpu: config.server.resources.cpu.request, memory: config.server.resources.memory.request });
        });

        it("gives every tenant its whole slice, with the plan's quota numbers from the guide", () => {
            assert.ok(tenants.length >= (stack === "test" ? 2 : 4));
            for (const t of tenants) {
                const ns = `tenant-${t.tenantId}`;
                const objects = inNamespace(run, ns);
                const kinds = (type: string) => objects.filter((o) => o.type === type).map((o) => o.inputs.metadata.name);
                const namespace = ofType(run, "kubernetes:core/v1:Namespace").find((n) => n.inputs.metadata.name === ns);
                assert.ok(namespace, `no namespace ${ns}`);
                assert.strictEqual(namespace!.inputs.metadata.labels["neurallog.io/tenant-id"], t.tenantId);
                assert.strictEqual(namespace!.inputs.metadata.labels["neurallog.io/plan"], t.planId);

                const quota = objects.find((o) => o.type === "kubernetes:core/v1:ResourceQuota");
                assert.ok(quota, `no quota in ${ns}`);
                // The tenant's own lower numbers where it sets them, the guide's plan numbers elsewhere.
                const expected = { ...seedQuotas[t.planId] };
                const r = t.resources ?? {};
                const pick = (o: any, a: string, b: string) => (o ? (o[a] ?? o[b]) : undefined);
                const own: Record<string, unknown> = {
                    "requests.cpu": pick(r.cpu, "requests", "request"),
                    "limits.cpu": pick(r.cpu, "limits", "limit"),
                    "requests.memory": pick(r.memory, "requests", "request"),
                    "limits.memory": pick(r.memory, "limits", "limit"),
                    "requests.storage": pick(r.storage, "requests", "request"),
                    pods: r.pods,
                    services: r.services,
                };
                for (const [k, v] of Object.entries(own)) if (v !== undefined) expected[k] = String(v);
                assert.deepStrictEqual(quota!.inputs.spec.hard, expected, `quota of ${ns}`);

                assert.deepStrictEqual(kinds("kubernetes:core/v1:LimitRange"), ["tenant-container-limits"]);
                const accounts = ["neurallog-server", "tenant-service-account", "redis", ...(t.services?.authService?.enabled ? ["auth-service"] : [])];
                assert.deepStrictEqual(kinds("kubernetes:core/v1:ServiceAccount").sort(), accounts.sort());
                // The backup job's own Role and binding too, where the stack snapshots volumes (backups.test.ts).
                const backup = config.backups?.enabled && config.backups.volumeSnapshots?.className ? ["backup-snapshots"] : [];
                assert.deepStrictEqual(kinds("kubernetes:rbac.authorization.k8s.io/v1:Role").sort(), ["tenant-role", ...backup].sort());
                assert.deepStrictEqual(kinds("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").sort(), ["tenant-role-binding", ...backup].sort());
                assert.deepStrictEqual(kinds("kubernetes:apps/v1:StatefulSet"), ["redis"]);
                assert.ok(kinds("kubernetes:apps/v1:Deployment").includes("neurallog-server"));
                // The tenant's data volumes are its Redis claims, one per replica, made by the program.
                const replicas = t.redis?.replicas ?? 1;
                assert.deepStrictEqual(kinds("kubernetes:core/v1:PersistentVolumeClaim"), Array.from({ length: replicas }, (_, i) => `data-redis-${i}`));
                const netpols = kinds("kubernetes:networking.k8s.io/v1:NetworkPolicy");
                for (const p of ["default-deny", "tenant-isolation", "allow-system-services"]) {
                    assert.ok(netpols.includes(p), `${ns} lacks NetworkPolicy ${p}: ${netpols}`);
                }
                const cr = ofType(run, "kubernetes:neurallog.io/v1:Tenant").find((o) => o.inputs.metadata.name === t.tenantId);
                assert.ok(cr, `no Tenant object for ${t.tenantId}`);
                assert.strictEqual(cr!.inputs.spec.planId, t.planId);
                assert.strictEqual(cr!.inputs.spec.billingEmail, t.billingEmail);
                assert.strictEqual(cr!.inputs.spec.namespace, ns);
                // Nothing observes the tenant, so the program claims no phase for it.
                assert.strictEqual(cr!.inputs.status, undefined);

                // Tenant's server and redis sizes come from its config (or the operator guide's defaults).
                const redis = objects.find((o) => o.type === "kubernetes:apps/v1:StatefulSet")!;
                assert.strictEqual(redis.inputs.spec.replicas, t.redis?.replicas ?? 1);
                const claim = objects.find((o) => o.type === "kubernetes:core/v1:PersistentVolumeClaim")!;
                const planSize = PLAN_CATALOGUE[t.planId as PlanId].dataStorage;
                assert.strictEqual(claim.inputs.spec.resources.requests.storage, t.redis?.storage ?? t.dataStorage ?? planSize);
            }
            assert.strictEqual(ofType(run, "kubernetes:neurallog.io/v1:Tenant").length, tenants.length);
        });

        it("gives every tenant the guide's LimitRange: exactly on the professional plan, the guide's defaults and minima on the others", () => {
            const ranges = ofType(run, "kubernetes:core/v1:LimitRange");
            assert.strictEqual(ranges.length, tenants.length);
            for (const t of tenants) {
                const lr = ranges.find((r) => r.inputs.metadata.namespace === `tenant-${t.tenantId}`);
                assert.ok(lr, `no LimitRange for ${t.tenantId}`);
                const limits = lr!.inputs.spec.limits;
                assert.deepStrictEqual(limits.map((l: any) => l.type), seedLimitRange.spec.limits.map((l: any) => l.type));
                if (t.planId === "professional") {
                    assert.deepStrictEqual(lr!.inputs.spec, seedLimitRange.spec, `${t.tenantId}: not the guide's LimitRange`);
                }
                const container = limits.find((l: any) => l.type === "Container");
                for (const field of ["default", "defaultRequest", "min"]) {
                    assert.deepStrictEqual(container[field], seedLimit("Container")[field], `${t.tenantId} Container.${field}`);
                }
                const pvc = limits.find((l: any) => l.type === "PersistentVolumeClaim");
                assert.deepStrictEqual(pvc.min, seedLimit("PersistentVolumeClaim").min, `${t.tenantId} PersistentVolumeClaim.min`);
            }
            assert.ok(tenants.some((t) => t.planId === "professional"), "no professional tenant to compare exactly");
        });

        it("passes every platform policy: non-root, read-only, unprivileged, sized, PSA, default-deny, quotas, labels, secrets", () => {
            assert.deepStrictEqual(evaluate(run.resources, { environment: config.environment, generatedCredentials: run.credentials, allowedRegistries: config.imageRegistries }), []);
            // Policies see what exists; make sure there is something to see.
            assert.strictEqual(ofType(run, "kubernetes:core/v1:Namespace").length, tenants.length + 1);
            assert.ok(podSpecs(run).length > tenants.length * 2);
        });

        it("probes every long-running container", () => {
            // A backup Job's container runs to completion: its exit status is its health.
            for (const { owner, spec } of podSpecs(run).filter(({ owner }) => owner.type !== "kubernetes:batch/v1:CronJob")) {
                for (const c of spec.containers) {
                    assert.ok(c.livenessProbe && c.readinessProbe, `${owner.name} container ${c.name} lacks probes`);
                }
            }
        });

        it("puts every Kubernetes object on the one explicit provider", () => {
            assert.strictEqual(ofType(run, "pulumi:providers:kubernetes").length, 1);
            for (const o of run.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
                assert.ok(o.provider?.includes("pulumi:providers:kubernetes::k8s::"), `${o.type} ${o.name} is not on the explicit provider`);
            }
        });

        it("keeps generated credentials secret, in Kubernetes Secrets and in stack outputs", async () => {
            // Kubernetes Secrets: policy secrets-only-generated-credentials; here, that there are some per tenant.
            assert.ok(ofType(run, "kubernetes:core/v1:Secret").length >= tenants.length + 2);
            const outputs = run.outputs.secrets as Record<string, pulumi.Output<string>>;
            assert.ok(Object.keys(outputs).length >= tenants.length + 2);
            for (const [name, value] of Object.entries(outputs)) {
                assert.strictEqual(await pulumi.isSecret(value), true, `output ${name} is not secret`);
                assert.ok((await promiseOf(value)).length >= 32, `output ${name} is not a generated password`);
            }
            // No password text anywhere in a ConfigMap.
            const configMaps = ofType(run, "kubernetes:core/v1:ConfigMap");
            assert.ok(configMaps.length >= tenants.length + 1, "no ConfigMaps to check");
            for (const cm of configMaps) {
                assert.ok(!/requirepass\s+\S/.test(JSON.stringify(cm.inputs.data).replace(/include [^\\]+/g, "")), `${cm.name} holds a password`);
            }
        });

        it("never lets an HPA and Pulumi fight over replicas", () => {
            const hpas = ofType(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
            // As many HPAs as the config asks for (none in test): the loop below must see them all.
            const wanted = (config.server?.autoscaling?.enabled ? 1 : 0) + (config.services ?? []).filter((s: any) => s.autoscaling?.enabled).length;
            assert.strictEqual(hpas.length, wanted);
            for (const hpa of hpas) {
                const target = ofType(run, "kubernetes:apps/v1:Deployment").find(
                    (d) => d.inputs.metadata.name === hpa.inputs.spec.scaleTargetRef.name && d.inputs.metadata.namespace === hpa.inputs.metadata.namespace,
                );
                assert.ok(target, `HPA ${hpa.name} targets nothing`);
                assert.strictEqual(target!.inputs.spec.replicas, undefined, `${hpa.name}: Deployment also sets replicas`);
            }
        });
    });
}

describe("production stack specifics", () => {
    let run: Run;
    before(async function () {
        this.timeout(120000);
        run = await runStack("production");
        if (run.error) throw run.error;
    });

    it("pins every image to a tag other than latest", () => {
        for (const { owner, spec } of podSpecs(run)) {
            for (const c of spec.containers) {
                assert.match(c.image, /:[^:/]+$/, `${owner.name}: ${c.image} has no tag`);
                assert.doesNotMatch(c.image, /:latest$/, `${owner.name}: ${c.image}`);
            }
        }
    });

    it("runs the server highly available: HPA, PDB, anti-affinity, zone spread, fast-ssd volumes", () => {
        const ns = stackConfig("production").namespace;
        const hpa = ofType(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").find((h) => h.inputs.metadata.namespace === ns && h.inputs.metadata.name === "neurallog-server");
        assert.ok(hpa);
        assert.ok(hpa!.inputs.spec.minReplicas >= 2);
        assert.ok(hpa!.inputs.spec.behavior.scaleDown.stabilizationWindowSeconds >= 300);
        const pdb = ofType(run, "kubernetes:policy/v1:PodDisruptionBudget").find((h) => h.inputs.metadata.namespace === ns && h.inputs.metadata.name === "neurallog-server");
        assert.ok(pdb && pdb.inputs.spec.minAvailable >= 1 && pdb.inputs.spec.minAvailable < hpa!.inputs.spec.minReplicas);
        const dep = ofType(run, "kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.namespace === ns && d.inputs.metadata.name === "neurallog-server")!;
        const pod = dep.inputs.spec.template.spec;
        assert.strictEqual(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey, "kubernetes.io/hostname");
        assert.strictEqual(pod.topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
        assert.deepStrictEqual(dep.inputs.spec.strategy.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
        const systemStores = ofType(run, "kubernetes:apps/v1:StatefulSet").filter((s) => s.inputs.metadata.namespace === ns);
        assert.ok(systemStores.length >= 4, `only ${systemStores.length} StatefulSets in ${ns}`);
        for (const sts of systemStores) {
            for (const vct of sts.inputs.spec.volumeClaimTemplates) assert.strictEqual(vct.spec.storageClassName, "fast-ssd", sts.name);
        }
    });

    it("deploys tenants on all three plans and protects their data", () => {
        const plans = new Set(ofType(run, "kubernetes:neurallog.io/v1:Tenant").map((t) => t.inputs.spec.planId));
        assert.deepStrictEqual([...plans].sort(), ["enterprise", "professional", "starter"]);
        const tenants = stackConfig("production").tenants;
        const guarded = run.resources.filter(
            (r) => (r.type === "kubernetes:core/v1:Namespace" && r.name.startsWith("tenant-")) || (r.type === "kubernetes:core/v1:PersistentVolumeClaim" && r.name.startsWith("tenant-")),
        );
        assert.strictEqual(guarded.length, tenants.reduce((n: number, t: any) => n + 1 + (t.redis?.replicas ?? 1), 0));
        for (const r of guarded) assert.strictEqual(r.opts?.protect, true, `${r.name} is not protected`);
    });
});
