/**
 * Promise: a fleet sharded across stacks, one cluster each (the NeuralLog guide's
 * two-cluster layout). A tenant is in exactly one shard's stack file; `moveTo` moves it
 * by one config edit, the target creating its slice and the source keeping its namespace
 * and data volume in its cluster; finishing the move changes nothing in the target.
 */
import * as assert from "assert";
import * as path from "path";
import { shardClusters as clusters } from "./hooks";
import { changes, clusterUp, E2E_DIR, Env, kubectlJson, npmScript, snapshot, stopClustersOnSignal, teardown, workloadReadiness } from "./support";

const FLEET_DIR = path.join(E2E_DIR, "fleet");
const MOVED = "globex";

describe("shards: one fleet, two stacks on two clusters", function () {
    let a: Env;
    let b: Env;
    const tenantsOf = async (e: Env) => (await kubectlJson(e.cluster, "get", "tenants")).items.map((t: any) => t.metadata.name).sort();

    before(function () {
        this.timeout(10 * 60 * 1000);
        stopClustersOnSignal(Object.values(clusters));
        for (const c of Object.values(clusters)) clusterUp(c);
        a = new Env("shard-a", clusters.a, "test", FLEET_DIR);
        b = new Env("shard-b", clusters.b, "test", FLEET_DIR);
        const [acme, globex] = a.readConfig().config["neurallog:tenants"];
        a.editConfig((c) => {
            c["neurallog:shard"] = { fleet: "e2e", name: "a" };
            c["neurallog:protectTenantData"] = true;
            c["neurallog:tenants"] = [acme, globex];
        });
        b.editConfig((c) => {
            c["neurallog:shard"] = { fleet: "e2e", name: "b" };
            c["neurallog:protectTenantData"] = true;
            c["neurallog:tenants"] = [{ ...acme, tenantId: "initech", billingEmail: "billing@initech.example", displayName: "Initech" }];
        });
    });

    after(function () {
        this.timeout(5 * 60 * 1000);
        teardown(Object.values(clusters));
    });

    it("deploys each shard's tenants to its own cluster, and nothing else", async () => {
        await b.up();
        await a.up();
        assert.deepStrictEqual(await tenantsOf(a), ["acme-corp", MOVED]);
        assert.deepStrictEqual(await tenantsOf(b), ["initech"]);
    });

    it("refuses a tenant listed by both shards' files, in either stack, before touching anything", async () => {
        const before = [await snapshot(clusters.a), await snapshot(clusters.b)];
        const saved = b.readConfig();
        b.editConfig((c) => c["neurallog:tenants"].push(a.readConfig().config["neurallog:tenants"][1]));
        for (const [e, other] of [[b, "shard-a"], [a, "shard-b"]] as const) {
            await assert.rejects(e.preview(), new RegExp(`"${MOVED}" is also listed by stack ${other}`));
            await assert.rejects(e.up(), new RegExp(`"${MOVED}" is also listed by stack ${other}`));
        }
        b.writeConfig(saved);
        assert.deepStrictEqual([await snapshot(clusters.a), await snapshot(clusters.b)], before);
    });

    it("moves a tenant by one edit (moveTo): the target previews its slice as creates, the source as deletes that keep namespace and volume", async () => {
        a.editConfig((c) => {
            c["neurallog:tenants"].find((t: any) => t.tenantId === MOVED).moveTo = "b";
        });
        const into = changes(await b.preview());
        assert.ok(into.length > 5, JSON.stringify(into));
        assert.deepStrictEqual(into.filter(([urn, op]) => op !== "create" || !urn.includes(`tenant-${MOVED}`)), [], "the target creates the slice and nothing else");

        const out = changes(await a.preview());
        assert.deepStrictEqual(out.filter(([urn]) => !urn.includes(`tenant-${MOVED}`)), [], "the source touches no other tenant");
        const deleted = out.filter(([, op]) => op === "delete").map(([urn]) => urn);
        assert.ok(deleted.some((u) => u.endsWith(`::tenant-${MOVED}-redis-statefulset`)) && deleted.some((u) => u.endsWith(`::tenant-${MOVED}-tenant`)), JSON.stringify(out));
        for (const kept of [`tenant-${MOVED}-namespace`, `tenant-${MOVED}-redis-data-redis-0`]) {
            assert.ok(!deleted.some((u) => u.endsWith(`::${kept}`)), `${kept} would be deleted: ${JSON.stringify(out)}`);
        }

        // What reviewers read in the pull request: the move named first in both stacks' comments.
        const [summaryA, summaryB] = [await npmScript(a, "summary"), await npmScript(b, "summary")];
        assert.strictEqual(summaryA.code, 0, summaryA.stderr);
        assert.strictEqual(summaryB.code, 0, summaryB.stderr);
        assert.strictEqual(summaryA.stdout.split("\n")[2], `> ↪ **tenant \`${MOVED}\` moves to shard b**: its slice leaves this stack; its namespace and data volume stay in this cluster`);
        assert.strictEqual(summaryB.stdout.split("\n")[2], `> ↩ **tenant \`${MOVED}\` moves in from stack shard-a**: its slice is created here`);

        // Make before break: the target first.
        await b.up();
        await a.up();
        assert.deepStrictEqual(await tenantsOf(b), ["globex", "initech"]);
        assert.deepStrictEqual(await tenantsOf(a), ["acme-corp"]);
        const moved = (await workloadReadiness(clusters.b)).filter((w: any) => w.name.includes(` tenant-${MOVED}/`));
        assert.ok(moved.length >= 2 && moved.every((w: any) => w.ready >= w.want), JSON.stringify(moved));
        // What stays in the source cluster: the namespace and the data volume, Bound, and no workload.
        const ns = `tenant-${MOVED}`;
        assert.strictEqual((await kubectlJson(clusters.a, "get", "namespace", ns)).status.phase, "Active");
        assert.strictEqual((await kubectlJson(clusters.a, "get", "pvc", "data-redis-0", "-n", ns)).status.phase, "Bound");
        assert.deepStrictEqual((await kubectlJson(clusters.a, "get", "deployments,statefulsets", "-n", ns)).items, []);
    });

    it("finishes the move when the entry goes into the target's file: the target changes nothing, the source forgets what its cluster keeps", async () => {
        const entry = a.readConfig().config["neurallog:tenants"].find((t: any) => t.tenantId === MOVED);
        delete entry.moveTo;
        a.editConfig((c) => {
            c["neurallog:tenants"] = c["neurallog:tenants"].filter((t: any) => t.tenantId !== MOVED);
        });
        b.editConfig((c) => c["neurallog:tenants"].push(entry));
        await b.preview({ expectNoChanges: true });

        const ns = `tenant-${MOVED}`;
        const result = await a.up();
        const changed = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => !["same", "read"].includes(op));
        assert.deepStrictEqual(changed, [["delete", 4]], "the slice component, the namespace, the Redis component and the claim leave the state");
        assert.strictEqual((await kubectlJson(clusters.a, "get", "namespace", ns)).status.phase, "Active");
        assert.strictEqual((await kubectlJson(clusters.a, "get", "pvc", "data-redis-0", "-n", ns)).status.phase, "Bound");
        await a.preview({ expectNoChanges: true });
    });
});
