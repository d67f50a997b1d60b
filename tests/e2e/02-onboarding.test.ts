/** Promise: onboarding is a config edit — the preview only creates, all inside the new slice; up makes it work. */
import * as assert from "assert";
import { env } from "./hooks";
import { changes, kubectl, kubectlJson, npmScript, snapshot, workloadReadiness } from "./support";

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
        for (const p of ["default-deny", "tenant-isolation", "allow-system-services"]) assert.ok(policies.includes(p), `${p} missing`);
        await kubectlJson(c, "get", "rolebinding", "tenant-role-binding", "-n", ns);
        const mine = (await workloadReadiness(c)).filter((w: any) => w.name.includes(`${ns}/`));
        assert.deepStrictEqual(mine.map((w: any) => w.name).sort(), [`Deployment ${ns}/neurallog-server`, `StatefulSet ${ns}/redis`]);
        for (const w of mine) assert.ok(w.ready >= w.want, `${w.name} not Ready`);
        const listed = await kubectl(c, "get", "tenants");
        assert.match(listed, new RegExp(`^${id}\\s+${id}\\s+starter\\s+${ns}\\s`, "m"), listed);
    });

    it("`npm run onboard` applies one tenant by a targeted up: its slice only, and the offboarding record knows it", async () => {
        const e = env("test");
        const solo = "soloist";
        const before = await snapshot(e.cluster);
        e.editConfig((c) => {
            c["neurallog:tenants"].push({ tenantId: solo, planId: "starter", billingEmail: `ops@${solo}.example`, displayName: "Soloist" });
        });
        const run = await npmScript(e, "onboard", "--tenant", solo);
        assert.strictEqual(run.code, 0, run.stderr);
        assert.match(run.stdout, new RegExp(`\\| tenant ${solo} \\| \\d+ \\| 0 \\| 0 \\| 0 \\|`), run.stdout);
        const after = await snapshot(e.cluster);
        assert.deepStrictEqual(
            before.filter((o) => !after.includes(o)),
            [],
            "every object that existed is untouched (same resourceVersion)",
        );
        const added = after.filter((o) => !before.includes(o));
        assert.ok(added.length >= 15 && added.every((o) => o.includes(`tenant-${solo}`) || o.startsWith(`Tenant /${solo} `)), added.join("\n"));
        const mine = (await workloadReadiness(e.cluster)).filter((w: any) => w.name.includes(`tenant-${solo}/`));
        assert.ok(mine.length === 2 && mine.every((w: any) => w.ready >= w.want), JSON.stringify(mine));
        // The whole program agrees with the targeted result, and the stack's record of its
        // tenants (what the offboarding guard reads) includes the new one.
        assert.deepStrictEqual(changes(await e.preview()), []);
        const saved = e.readConfig();
        e.editConfig((c) => {
            c["neurallog:tenants"] = c["neurallog:tenants"].filter((t: { tenantId: string }) => t.tenantId !== solo);
        });
        try {
            await assert.rejects(e.preview(), new RegExp(`no longer lists tenant "${solo}"`));
        } finally {
            e.writeConfig(saved);
        }
    });

    it("`npm run onboard` refuses a tenant the stack config does not list", async () => {
        const run = await npmScript(env("test"), "onboard", "--tenant", "nobody");
        assert.strictEqual(run.code, 2);
        assert.match(run.stderr, /neurallog:tenants of stack test has no tenant "nobody": add its entry first/);
    });
});
