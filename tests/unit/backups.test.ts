/**
 * Backups (components/backups.ts): CronJobs on the config's schedules with their own
 * least-privilege accounts, a kept backup volume, and scripts that reach every member.
 */
import * as assert from "assert";
import { configProblems as problems, ofType, Registered, Run, runProgram, runStack, stackConfig } from "./harness";

const cronJobs = (run: Run) => ofType(run, "kubernetes:batch/v1:CronJob");
const podOf = (c: Registered) => c.inputs.spec.jobTemplate.spec.template.spec;
const script = (c: Registered) => podOf(c).containers[0].command.join(" ");

describe("backups", () => {
    let prod: Run;
    const config = stackConfig("production");
    before(async () => {
        prod = await runStack("production");
        assert.ifError(prod.error);
    });

    it("are off unless the stack turns them on", async () => {
        assert.notStrictEqual(stackConfig("test").backups?.enabled, true);
        assert.deepStrictEqual(cronJobs(await runStack("test")), []);
    });

    it("schedule a Qdrant snapshot, a Neo4j export and VolumeSnapshots as production's config says", () => {
        const jobs = Object.fromEntries(cronJobs(prod).map((c) => [c.inputs.metadata.name, c.inputs.spec]));
        assert.deepStrictEqual(Object.keys(jobs).sort(), ["neo4j-dump", "qdrant-snapshot", "volume-snapshots"]);
        const b = config.backups;
        // Unset schedules fall back to the documented defaults.
        assert.strictEqual(jobs["qdrant-snapshot"].schedule, b.qdrant?.schedule ?? "0 */6 * * *");
        assert.strictEqual(jobs["neo4j-dump"].schedule, b.neo4j?.schedule ?? "30 1 * * *");
        for (const spec of Object.values(jobs) as any[]) {
            assert.strictEqual(spec.concurrencyPolicy, "Forbid");
            assert.strictEqual(spec.jobTemplate.spec.template.spec.restartPolicy, "OnFailure");
        }
        assert.match(script(cronJobs(prod).find((c) => c.inputs.metadata.name === "volume-snapshots")!), new RegExp(`volumeSnapshotClassName: ${b.volumeSnapshots.className}`));
    });

    it("snapshot every Qdrant member, and prune files after the retention the config sets", () => {
        const qdrant = script(cronJobs(prod).find((c) => c.inputs.metadata.name === "qdrant-snapshot")!);
        const replicas = config.dataStores.qdrant.replicas;
        for (let i = 0; i < replicas; i++) assert.ok(qdrant.includes(`qdrant-${i}.qdrant-peers.${config.namespace}.svc`), `member ${i}`);
        assert.ok(!qdrant.includes(`qdrant-${replicas}.`));
        for (const c of cronJobs(prod).filter((c) => c.inputs.metadata.name !== "volume-snapshots")) {
            assert.match(script(c), new RegExp(`-mtime \\+${config.backups.retentionDays} `));
        }
    });

    it("run each job as its own account; only the snapshot job gets a token, explicit and short-lived, and a Role for snapshots alone", () => {
        const accounts = cronJobs(prod).map((c) => podOf(c).serviceAccountName);
        assert.strictEqual(new Set(accounts).size, accounts.length);
        for (const c of cronJobs(prod)) {
            const pod = podOf(c);
            assert.strictEqual(pod.automountServiceAccountToken, false);
            const sa = ofType(prod, "kubernetes:core/v1:ServiceAccount").find((s) => s.inputs.metadata.name === pod.serviceAccountName)!;
            assert.strictEqual(sa.inputs.automountServiceAccountToken, false);
            const tokens = (pod.volumes ?? []).flatMap((v: any) => v.projected?.sources ?? []).filter((s: any) => s.serviceAccountToken);
            if (c.inputs.metadata.name === "volume-snapshots") {
                assert.ok(tokens.length === 1 && tokens[0].serviceAccountToken.expirationSeconds <= 3600);
            } else {
                assert.deepStrictEqual(tokens, []);
            }
        }
        const roles = ofType(prod, "kubernetes:rbac.authorization.k8s.io/v1:Role").filter((r) => r.name.startsWith("neurallog-backups"));
        assert.strictEqual(roles.length, 1);
        const rules = roles[0].inputs.rules;
        assert.ok(rules.every((r: any) => !r.verbs.includes("*") && !r.resources.includes("*") && !r.verbs.includes("update")), JSON.stringify(rules));
        assert.deepStrictEqual(rules.flatMap((r: any) => r.resources).sort(), ["persistentvolumeclaims", "volumesnapshots"]);
    });

    it("let the snapshot job into each tenant namespace by the tenant's own slice, for claims and snapshots only", () => {
        const sa = { kind: "ServiceAccount", name: "backup-snapshots", namespace: config.namespace };
        for (const t of config.tenants) {
            const ns = `tenant-${t.tenantId}`;
            const bindings = ofType(prod, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").filter(
                (b) => b.inputs.metadata.namespace === ns && b.inputs.subjects.some((x: any) => x.name === sa.name && x.namespace === sa.namespace),
            );
            assert.strictEqual(bindings.length, 1, ns);
            assert.ok(bindings[0].name.startsWith(`tenant-${t.tenantId}-`), `${bindings[0].name} is not in the tenant's slice`);
            const role = ofType(prod, "kubernetes:rbac.authorization.k8s.io/v1:Role").find((r) => r.inputs.metadata.namespace === ns && r.inputs.metadata.name === bindings[0].inputs.roleRef.name)!;
            assert.deepStrictEqual(role.inputs.rules.flatMap((r: any) => r.resources).sort(), ["persistentvolumeclaims", "volumesnapshots"]);
        }
        const cluster = ofType(prod, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").filter((r) => r.name.startsWith("neurallog-backups"));
        assert.deepStrictEqual(cluster.map((r) => r.inputs.rules), [[{ apiGroups: [""], resources: ["namespaces"], verbs: ["list"] }]]);
    });

    it("keep the backup volume when the stack is destroyed or the section removed", () => {
        const claim = ofType(prod, "kubernetes:core/v1:PersistentVolumeClaim").find((c) => c.inputs.metadata.name === "neurallog-backups")!;
        assert.ok(claim);
        assert.strictEqual(claim.opts?.retainOnDelete, true);
        assert.strictEqual(claim.inputs.spec.resources.requests.storage, config.backups.size);
    });

    it("refuse to be on with nothing to back up, or with a schedule cron cannot read", () => {
        const test = { ...stackConfig("test"), backups: { enabled: true } };
        assert.match(problems(test).join("\n"), /^neurallog:backups\.enabled backs up nothing/m);
        const bad = structuredClone(config);
        bad.backups.qdrant = { schedule: "every six hours" };
        assert.match(problems(bad).join("\n"), /^neurallog:backups\.qdrant\.schedule .*must be a cron schedule/m);
    });

    it("without a snapshot class, create no snapshot job, account or Role", async () => {
        const c = structuredClone(config);
        delete c.backups.volumeSnapshots;
        const run = await runProgram(c, "production");
        assert.ifError(run.error);
        assert.deepStrictEqual(cronJobs(run).map((j) => j.inputs.metadata.name).sort(), ["neo4j-dump", "qdrant-snapshot"]);
        assert.deepStrictEqual(ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:Role").filter((r) => r.name.startsWith("neurallog-backups") || r.name.includes("-backup-snapshots-")), []);
        assert.deepStrictEqual(ofType(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").filter((r) => r.name.startsWith("neurallog-backups")), []);
    });
});
