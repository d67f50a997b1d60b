/** Promise: moving a tenant to another plan updates only that tenant's slice; the live quota carries the new numbers. */
import * as assert from "assert";
import { env } from "./hooks";
import { changes, kubectlJson } from "./support";

describe("plan change", () => {
    const id = "acme-corp";

    it("previews updates only to that tenant's objects, quota and limit range among them", async () => {
        const e = env("test");
        const before = e.readConfig().config["neurallog:tenants"].find((t: any) => t.tenantId === id);
        assert.strictEqual(before.planId, "starter");
        e.editConfig((c) => {
            c["neurallog:tenants"].find((t: any) => t.tenantId === id).planId = "professional";
        });
        const planned = changes(await e.preview());
        const urns = planned.map(([urn]) => urn);
        assert.ok(urns.some((u) => u.endsWith(`::tenant-${id}-quota`)), `quota not updated: ${urns}`);
        assert.ok(urns.some((u) => u.endsWith(`::tenant-${id}-limits`)), `limit range not updated: ${urns}`);
        const bad = planned.filter(([urn, op]) => op !== "update" || !urn.includes(`tenant-${id}`));
        assert.deepStrictEqual(bad, [], "changes that are not in-place updates of this tenant");
    });

    it("applies the professional plan's numbers to the live quota", async () => {
        const e = env("test");
        await e.up();
        const quota = await kubectlJson(e.cluster, "get", "resourcequota", "tenant-quota", "-n", `tenant-${id}`);
        assert.strictEqual(quota.spec.hard["requests.cpu"], "8");
        assert.strictEqual(quota.spec.hard.pods, "50");
        assert.strictEqual(quota.status.hard["requests.memory"], "16Gi");
        const ns = await kubectlJson(e.cluster, "get", "namespace", `tenant-${id}`);
        assert.strictEqual(ns.metadata.labels["neurallog.io/plan"], "professional");
    });
});
