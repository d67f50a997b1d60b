/**
 * The program's objects against a real API server: every object it renders for each
 * stack is applied (server-side, by kubectl) to a local cluster with the default
 * admission plugins, and the cluster then enforces what tenants rely on. The Pulumi
 * engine is not involved here (see README: its language host and plugins cannot be
 * built on this machine); tests/e2e drives the same checks through `pulumi up`.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { execFile } from "child_process";
import { promisify } from "util";
import { SNAPSHOT_ACCOUNT, SNAPSHOT_JOB, volumeSnapshotScript } from "../../components/backups";
import { Cluster, common, kubectl, kubectlJson, NotYet, waitFor } from "../support/cluster";
import { limitRangeDefaultsApply, privilegedPodIsRefused, quotaOverrunIsRefused, tenantAccountsAreIsolated } from "../support/isolation";
import { stackConfig } from "../unit/harness";
import { clusters } from "./hooks";
import { Manifest, renderStack } from "./render";

const PLATFORM = "app.kubernetes.io/part-of=neurallog";
const exec = promisify(execFile);
const key = (m: { kind: string; metadata: { namespace?: string; name: string } }) => `${m.kind} ${m.metadata.namespace ?? ""}/${m.metadata.name}`;

async function apply(c: Cluster, manifests: Manifest[]) {
    if (manifests.length === 0) return;
    const file = path.join(c.stateDir, `apply-${Date.now()}.json`);
    fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: manifests }));
    await kubectl(c, "apply", "--server-side", "--field-manager=neurallog-live", "-f", file);
}

async function platformObjects(c: Cluster, kinds: string[]): Promise<any[]> {
    const namespaced = await kubectlJson(c, "get", kinds.join(","), "-A", "-l", PLATFORM);
    return namespaced.items;
}

for (const stack of ["test", "production"] as const) {
    describe(`live admission: ${stack} stack`, function () {
        const c = () => clusters[stack];
        const config = stackConfig(stack);
        let manifests: Manifest[] = [];

        before(async function () {
            this.timeout(10 * 60 * 1000);
            const phases = await renderStack(stack);
            manifests = phases.flat();
            for (const [i, phase] of phases.entries()) {
                if (i === phases.length - 1) {
                    await kubectl(c(), "wait", "--for=condition=Established", "--timeout=60s", "crd/tenants.neurallog.io");
                }
                await apply(c(), phase);
            }
        });

        it("accepts every object the program renders", async () => {
            const kinds = [...new Set(manifests.map((m) => m.kind))];
            const live = new Set(
                [...(await platformObjects(c(), kinds.filter((k) => !["Namespace", "CustomResourceDefinition", "ClusterRole", "Tenant"].includes(k)))),
                 ...(await kubectlJson(c(), "get", "namespaces,crd,clusterroles,tenants", "-l", PLATFORM)).items].map(key),
            );
            const missing = manifests.map(key).filter((k) => !live.has(k));
            assert.deepStrictEqual(missing, []);
            assert.ok(manifests.length > 50, `only ${manifests.length} objects`);
        });

        it("admits every pod under Pod Security `restricted` and brings every workload to Ready", async function () {
            this.timeout(5 * 60 * 1000);
            const want = manifests.filter((m) => ["Deployment", "StatefulSet"].includes(m.kind)).map(key).sort();
            const notReady = await waitFor("workloads Ready", async () => {
                const items = await platformObjects(c(), ["deployments", "statefulsets"]);
                const pending = items
                    .filter((o) => (o.status.readyReplicas ?? 0) < (o.spec.replicas ?? 1) || o.status.observedGeneration !== o.metadata.generation)
                    .map(key);
                // Thrown, so a timeout reports what the cluster still held, and why pods were refused.
                if (pending.length > 0) {
                    const events = (await kubectlJson(c(), "get", "events", "-A", "--field-selector", "reason=FailedCreate")).items;
                    throw new NotYet(`not Ready: ${pending.join(", ")}${events.length ? `; last refusal: ${events[events.length - 1].message}` : ""}`);
                }
                return items.map(key).sort();
            }, 120);
            assert.deepStrictEqual(notReady, want);
            const refused = (await kubectlJson(c(), "get", "events", "-A", "--field-selector", "reason=FailedCreate")).items.map((e: any) => e.message);
            assert.deepStrictEqual(refused.filter((m: string) => /PodSecurity|forbidden/.test(m)), []);
        });

        it("binds every volume on the stack's storage classes", async function () {
            this.timeout(3 * 60 * 1000);
            const pending = await waitFor("volumes Bound", async () => {
                // Data volumes; the backup volume binds once a backup job mounts it (tested below).
                const pvcs = (await kubectlJson(c(), "get", "pvc", "-A", "-l", "neurallog.io/storage-type")).items;
                const unbound = pvcs.filter((p: any) => p.status.phase !== "Bound").map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`);
                if (unbound.length > 0 || pvcs.length === 0) throw new NotYet(`not Bound: ${unbound.join(", ") || "no claims at all"}`);
                return pvcs;
            }, 120);
            const classes = new Set(pending.map((p: any) => p.spec.storageClassName));
            if (stack === "production") assert.ok(classes.has("fast-ssd"), [...classes].join());
        });

        it("runs a Job from each backup CronJob to completion on the kwok nodes, and binds the backup volume", async function () {
            this.timeout(5 * 60 * 1000);
            const cronJobs = manifests.filter((m) => m.kind === "CronJob");
            assert.strictEqual(cronJobs.length > 0, config.backups?.enabled === true, `${cronJobs.length} CronJobs`);
            for (const cj of cronJobs) {
                const ns = cj.metadata.namespace!;
                const job = `${cj.metadata.name}-live`;
                await kubectl(c(), "-n", ns, "create", "job", job, `--from=cronjob/${cj.metadata.name}`);
                await waitFor(`job ${ns}/${job} complete`, async () => {
                    const j = await kubectlJson(c(), "-n", ns, "get", "job", job);
                    if (!(j.status?.succeeded >= 1)) {
                        const events = (await kubectlJson(c(), "-n", ns, "get", "events", "--field-selector", `involvedObject.name=${job}`)).items;
                        throw new NotYet(`job ${job}: ${JSON.stringify(j.status ?? {})} ${events.map((e: any) => e.message).join("; ")}`);
                    }
                    return j;
                }, 120);
                const pods = (await kubectlJson(c(), "-n", ns, "get", "pods", "-l", `job-name=${job}`)).items;
                assert.ok(pods.length >= 1 && pods.every((p: any) => p.status.phase === "Succeeded"), job);
                // Admitted under the namespace's `restricted` Pod Security level, as every pod here is.
                const nsLabels = (await kubectlJson(c(), "get", "namespace", ns)).metadata.labels;
                assert.strictEqual(nsLabels["pod-security.kubernetes.io/enforce"], "restricted");
            }
            if (cronJobs.length > 0) {
                const claims = (await kubectlJson(c(), "get", "pvc", "-A", "-l", "app.kubernetes.io/component=backup")).items;
                assert.ok(claims.length === 1 && claims[0].status.phase === "Bound", JSON.stringify(claims.map((p: any) => p.status)));
            }
        });

        it("snapshots every data claim, the platform's and every tenant's, with the snapshot job's script and account, keeping the newest", async function () {
            this.timeout(3 * 60 * 1000);
            const cj = manifests.find((m) => m.kind === "CronJob" && m.metadata.name === SNAPSHOT_JOB) as any;
            const className = config.backups?.volumeSnapshots?.className;
            assert.strictEqual(cj !== undefined, config.backups?.enabled === true && className !== undefined);
            if (!cj) return;
            const ns = cj.metadata.namespace;
            const rendered = cj.spec.jobTemplate.spec.template.spec.containers[0].command.at(-1) === volumeSnapshotScript(className, config.backups.volumeSnapshots.keep ?? 7, ns);
            assert.ok(rendered, "the CronJob runs volumeSnapshotScript's script");
            // The job's own account, through a kubeconfig holding only its token: the Role must suffice.
            const token = (await kubectl(c(), "-n", ns, "create", "token", SNAPSHOT_ACCOUNT, "--duration=10m")).trim();
            const admin = await kubectlJson(c(), "config", "view", "--raw", "--minify");
            const kubeconfig = path.join(c().stateDir, "snapshot-job.kubeconfig");
            fs.writeFileSync(kubeconfig, JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: admin.clusters,
                users: [{ name: "job", user: { token } }],
                contexts: [{ name: "job", context: { cluster: admin.clusters[0].name, user: "job", namespace: ns } }],
                "current-context": "job",
            }), { mode: 0o600 });
            const claims = (await kubectlJson(c(), "get", "pvc", "-A", "-l", "neurallog.io/storage-type")).items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`).sort();
            const tenants = config.tenants.map((t: any) => `tenant-${t.tenantId}`);
            for (const n of [ns, ...tenants]) assert.ok(claims.some((k: string) => k.startsWith(`${n}/`)), `no data claim in ${n}`);
            const kubectlDir = path.dirname(path.join(common.kubeDir, "bin", "kubectl"));
            // HOME too: kubectl keeps its discovery cache under it (without one, in the working directory).
            const jobEnv = { PATH: `${kubectlDir}:${process.env.PATH}`, KUBECONFIG: kubeconfig, HOME: c().stateDir };
            for (let run = 0; run < 3; run++) {
                if (run > 0) await new Promise((r) => setTimeout(r, 1100)); // names and order are by the second
                await exec("sh", ["-c", volumeSnapshotScript(className, 2, ns)], { env: jobEnv });
            }
            const snapshots = (await kubectlJson(c(), "get", "volumesnapshots", "-A")).items;
            const byClaim = new Map<string, number>();
            for (const v of snapshots) {
                assert.strictEqual(v.spec.volumeSnapshotClassName, className);
                const claim = `${v.metadata.namespace}/${v.spec.source.persistentVolumeClaimName}`;
                byClaim.set(claim, (byClaim.get(claim) ?? 0) + 1);
            }
            assert.deepStrictEqual([...byClaim.keys()].sort(), claims);
            assert.ok([...byClaim.values()].every((n) => n === 2), JSON.stringify([...byClaim]));
            // Nothing else: the account cannot read Secrets, here or in a tenant namespace.
            for (const n of [ns, tenants[0]]) {
                await assert.rejects(exec(path.join(kubectlDir, "kubectl"), ["-n", n, "get", "secrets"], { env: jobEnv }), /forbidden/);
            }
        });

        it("stores every Tenant object whole: the CRD schema prunes no field of the spec", async () => {
            const live = (await kubectlJson(c(), "get", "tenants")).items;
            const renderedTenants = manifests.filter((m) => m.kind === "Tenant") as any[];
            assert.strictEqual(renderedTenants.length, config.tenants.length, "Tenant manifests rendered");
            for (const rendered of renderedTenants) {
                const got = live.find((t: any) => t.metadata.name === rendered.metadata.name);
                assert.ok(got, `${rendered.metadata.name} missing`);
                assert.deepStrictEqual(got.spec, rendered.spec, `${rendered.metadata.name}: spec changed on the way in`);
                assert.deepStrictEqual(got.status, rendered.status);
            }
        });

        it("lists every tenant in `kubectl get tenants` with plan and namespace, and claims no status", async () => {
            const table = await kubectl(c(), "get", "tenants");
            assert.match(table.split("\n")[0], /^NAME\s+TENANT-ID\s+PLAN\s+NAMESPACE\s+AGE/);
            for (const t of config.tenants) {
                assert.match(table, new RegExp(`^${t.tenantId}\\s+${t.tenantId}\\s+${t.planId}\\s+tenant-${t.tenantId}\\s`, "m"), table);
            }
            // A status in the manifest would be dropped by the status subresource anyway; none is sent.
            for (const m of manifests.filter((x) => x.kind === "Tenant") as any[]) assert.strictEqual(m.status, undefined, m.metadata.name);
            for (const live of (await kubectlJson(c(), "get", "tenants")).items) assert.strictEqual(live.status, undefined, live.metadata.name);
        });

        it("has the quota controller count each tenant's usage and refuse a real overrun", async function () {
            // Each tenant: up to 60 s for the controller, then the overrun probes.
            this.timeout(config.tenants.length * 120 * 1000);
            assert.ok(config.tenants.length >= 2, "a stack with fewer than two tenants proves little here");
            for (const t of config.tenants) {
                const ns = `tenant-${t.tenantId}`;
                const rendered = manifests.find((m) => m.kind === "ResourceQuota" && m.metadata.namespace === ns) as any;
                assert.ok(rendered, `no ResourceQuota rendered for ${ns}`);
                // The controller's own numbers: the hard limits as rendered, and the pods it counted.
                const live = await waitFor(`quota usage in ${ns}`, async () => {
                    const all = (await kubectlJson(c(), "get", "pods", "-n", ns)).items;
                    const running = all.filter((p: any) => !["Succeeded", "Failed"].includes(p.status.phase) && !p.metadata.deletionTimestamp);
                    const q = await kubectlJson(c(), "get", "resourcequota/tenant-quota", "-n", ns);
                    if (running.length < 2 || q.status?.used?.pods !== String(running.length)) {
                        throw new NotYet(`quota counts ${q.status?.used?.pods} pods, the namespace runs ${running.length} (${all.map((p: any) => `${p.metadata.name}:${p.status.phase}`).join(", ")})`);
                    }
                    return q;
                }, 60);
                assert.deepStrictEqual(live.status.hard, rendered.spec.hard, ns);
                await quotaOverrunIsRefused(c(), ns);
            }
        });
    });
}

describe("live isolation: the API server enforces tenant boundaries (test stack)", () => {
    const c = () => clusters.test;
    const config = stackConfig("test");
    const tenantNs = config.tenants.map((t: any) => `tenant-${t.tenantId}`);
    const ns = tenantNs[0];

    it("rejects a pod that would exceed the tenant's quota", () => quotaOverrunIsRefused(c(), ns));
    it("gives a pod without resources the LimitRange defaults", () => limitRangeDefaultsApply(c(), ns));
    it("refuses a privileged pod through Pod Security admission", () => privilegedPodIsRefused(c(), ns));
    it("keeps every tenant's service account out of every other tenant and the system namespace", () =>
        tenantAccountsAreIsolated(c(), tenantNs, config.namespace));

    it("denies the platform's own server account everything but its ConfigMap", async () => {
        const as = `system:serviceaccount:${config.namespace}:neurallog-server`;
        const can = async (...args: string[]) => (await kubectl(c(), "auth", "can-i", ...args, "--as", as).catch((e) => e.stdout)).trim();
        assert.strictEqual(await can("get", "configmap/neurallog-config", "-n", config.namespace), "yes");
        assert.strictEqual(await can("get", "secrets", "-n", config.namespace), "no");
        assert.strictEqual(await can("list", "configmaps", "-n", config.namespace), "no");
    });
});
