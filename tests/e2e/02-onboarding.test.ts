/** Promise: onboarding is a config edit — the preview only creates, all inside the new slice; up makes it work. */
import * as assert from "assert";
import { env } from "./hooks";
import { changes, kubectl, kubectlJson, workloadReadiness } from "./support";

describe("onboarding by config edit", () => {
    const id = "newcomer";
    const ns = `tenant-${id}`;

    it("previews only creates, all in the new tenant's slice", async () => {
        const e = env("test");
        e.editConfig((c) => {
            c["neurallog:tenants"].push({ tenantId: id, planId: "starter", billingEmail: `ops@${id}.example`, displayName: "Newcomer" });
        });
        const planned = changes(await e.preview());
        assert.ok(planned.length >= 15, `only ${planned.length} changes planned`);
        const outside = planned.filter(([urn, op]) => op !== "create" || !urn.includes(`tenant-${id}`));
        assert.deepStrictEqual(outside, [], "changes outside the new slice, or not creates");
    });

    it("creates a working slice: namespace, quota, limits, policies, RBAC, Redis and server Ready, Tenant listed", async () => {
        const e = env("test");
        await e.up();
        const c = e.cluster;
        const namespace = await kubectlJson(c, "get", "namespace", ns);
        assert.strictEqual(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        const quota = await kubectlJson(c, "get", "resourcequota", "tenant-quota", "-n", ns);
        assert.strictEqual(quota.status.hard["requests.cpu"], "2", "quota not enforced by the controller");
        await kubectlJson(c, "get", "limitrange", "tenant-container-limits", "-n", ns);
        const policies = (await kubectlJson(c, "get", "networkpolicies", "-n", ns)).items.map((p: any) => p.metadata.name);
        for (const p of ["default-deny", "allow-dns", "tenant-isolation", "allow-system-services"]) assert.ok(policies.includes(p), `${p} missing`);
        await kubectlJson(c, "get", "rolebinding", "tenant-role-binding", "-n", ns);
        const mine = (await workloadReadiness(c)).filter((w: any) => w.name.includes(`${ns}/`));
        assert.deepStrictEqual(mine.map((w: any) => w.name).sort(), [`Deployment ${ns}/neurallog-server`, `StatefulSet ${ns}/redis`]);
        for (const w of mine) assert.ok(w.ready >= w.want, `${w.name} not Ready`);
        const listed = await kubectl(c, "get", "tenants");
        assert.match(listed, new RegExp(`^${id}\\s+${id}\\s+starter\\s+${ns}\\s`, "m"), listed);
    });
});
