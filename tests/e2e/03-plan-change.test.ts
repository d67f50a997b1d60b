/** Promise: moving a tenant to another plan updates only that tenant's slice; the live quota carries the new numbers. */
import * as assert from "assert";
import { env } from "./hooks";
import { changes, kubectlJson, npmScript, snapshot } from "./support";

describe("plan change", () => {
    const id = "acme-corp";
    const ns = `tenant-${id}`;
    let statefulSetUid: string;

    it("previews updates only to that tenant's objects, quota and limit range among them", async () => {
        const e = env("test");
        const before = e.readConfig().config["neurallog:tenants"].find((t: any) => t.tenantId === id);
        assert.strictEqual(before.planId, "starter");
        statefulSetUid = (await kubectlJson(e.cluster, "get", "statefulset", "redis", "-n", ns)).metadata.uid;
        e.editConfig((c) => {
            c["neurallog:tenants"].find((t: any) => t.tenantId === id).planId = "professional";
        });
        const planned = changes(await e.preview());
        const urns = planned.map(([urn]) => urn);
        assert.ok(urns.some((u) => u.endsWith(`::tenant-${id}-quota`)), `quota not updated: ${urns}`);
        assert.ok(urns.some((u) => u.endsWith(`::tenant-${id}-limits`)), `limit range not updated: ${urns}`);
        const bad = planned.filter(([urn, op]) => op !== "update" || !urn.includes(`tenant-${id}`));
        assert.deepStrictEqual(bad, [], "changes that are not in-place updates of this tenant");

        // What a reviewer reads in the pull request: the quota and limits change called out
        // first, everything under this tenant, no data at risk.
        const summary = await npmScript(e, "summary");
        assert.strictEqual(summary.code, 0, summary.stderr);
        const lines = summary.stdout.split("\n");
        assert.strictEqual(lines[0], "## Preview: stack `test`");
        assert.ok(lines[2].startsWith("> ⚠️"), `the warnings come first:\n${summary.stdout}`);
        for (const object of [`LimitRange ${ns}/tenant-container-limits`, `ResourceQuota ${ns}/tenant-quota`]) {
            assert.ok(lines.includes(`> ⚠️ **access or limits change**: update \`${object}\``), summary.stdout);
        }
        assert.ok(!summary.stdout.includes("data at risk"), summary.stdout);
        assert.match(summary.stdout, new RegExp(`\\*\\*${planned.length} changes?\\*\\* across 0 platform layers and 1 tenant\\.`));
        assert.match(summary.stdout, new RegExp(`\\| tenant ${id} \\| 0 \\| ${planned.length} \\| 0 \\| 0 \\|`));
    });

    it("applies the professional plan's numbers to the live quota", async () => {
        const e = env("test");
        await e.up();
        const quota = await kubectlJson(e.cluster, "get", "resourcequota", "tenant-quota", "-n", `tenant-${id}`);
        assert.strictEqual(quota.spec.hard["requests.cpu"], "8");
        assert.strictEqual(quota.spec.hard.pods, "50");
        assert.strictEqual(quota.status.hard["requests.memory"], "16Gi");
        const namespace = await kubectlJson(e.cluster, "get", "namespace", ns);
        assert.strictEqual(namespace.metadata.labels["neurallog.io/plan"], "professional");
    });

    it("grows the tenant's data volume in place and keeps its StatefulSet", async () => {
        const e = env("test");
        const sts = await kubectlJson(e.cluster, "get", "statefulset", "redis", "-n", ns);
        assert.strictEqual(sts.metadata.uid, statefulSetUid, "the StatefulSet was replaced");
        const claim = await kubectlJson(e.cluster, "get", "pvc", "data-redis-0", "-n", ns);
        // The professional plan's data volume (the plan catalogue), grown from the starter plan's.
        assert.strictEqual(claim.spec.resources.requests.storage, "50Gi");
        assert.strictEqual(claim.status.phase, "Bound");
    });

    it("refuses a downgrade that would shrink the data volume, before changing anything", async () => {
        const e = env("test");
        const before = await snapshot(e.cluster);
        const saved = e.readConfig();
        e.editConfig((c) => {
            c["neurallog:tenants"].find((t: any) => t.tenantId === id).planId = "starter";
        });
        const message = /neurallog:tenants\[0\]\.planId 5Gi would shrink volume tenant-acme-corp\/data-redis-0 from 50Gi; Kubernetes cannot shrink a volume/;
        try {
            await assert.rejects(e.preview(), message);
            await assert.rejects(e.up(), message);
        } finally {
            e.writeConfig(saved);
        }
        assert.deepStrictEqual(await snapshot(e.cluster), before);
    });
});
