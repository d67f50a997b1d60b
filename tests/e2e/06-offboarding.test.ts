/**
 * Promise: removing a tenant from config never silently destroys anything of it. An
 * accidental removal fails preview and up with a message that names the tenant and the
 * way to offboard, and deletes nothing; the deliberate path (decommission, then remove)
 * deletes the workloads and keeps the namespace and data volume.
 */
import * as assert from "assert";
import { env } from "./hooks";
import { sliceUrn } from "../../scripts/onboard";
import { Cluster, kubectlJson, pulumiCli } from "./support";

const id = "hooli";
const ns = `tenant-${id}`;

/** Every object of the tenant a user could lose, with its uid and resourceVersion. */
async function slice(c: Cluster): Promise<string[]> {
    const kinds = "deployments,statefulsets,services,pvc,configmaps,secrets,serviceaccounts,roles,rolebindings,networkpolicies,resourcequotas,limitranges,poddisruptionbudgets,horizontalpodautoscalers";
    const inNs = await kubectlJson(c, "get", kinds, "-n", ns);
    const tenant = await kubectlJson(c, "get", "tenant", id);
    const namespace = await kubectlJson(c, "get", "namespace", ns);
    return [...inNs.items, tenant, namespace]
        .map((o: any) => `${o.kind}/${o.metadata.name} ${o.metadata.uid}@${o.metadata.resourceVersion}`)
        .sort();
}

describe("offboarding without data loss (production)", () => {
    it("refuses an accidental removal in preview and up, naming the tenant and the way out, and deletes nothing", async () => {
        const e = env("production");
        const before = await slice(e.cluster);
        assert.ok(before.length >= 15, `the slice holds only ${before.length} objects`);
        for (const kind of ["Deployment/", "StatefulSet/", "Role/", "RoleBinding/", "ResourceQuota/", "NetworkPolicy/", "Tenant/"]) {
            assert.ok(before.some((o) => o.startsWith(kind)), `${kind} missing from ${before}`);
        }
        const saved = e.readConfig();
        try {
            e.editConfig((c) => {
                c["neurallog:tenants"] = c["neurallog:tenants"].filter((t: any) => t.tenantId !== id);
            });
            const message = new RegExp(`neurallog:tenants no longer lists tenant "${id}"[\\s\\S]*decommission: true`);
            await assert.rejects(e.preview(), message);
            await assert.rejects(e.up(), message);
            // The guard reads the stack's record from the engine's state of the root stack,
            // which a refreshing run and a run targeted at another tenant hold too.
            await assert.rejects(e.preview({ refresh: true }), message);
            const other = e.readConfig().config["neurallog:tenants"].find((t: any) => t.tenantId !== id).tenantId;
            const targeted = await pulumiCli(e, "preview", "--target", sliceUrn(e.stackName, "neurallog", other), "--target-dependents");
            assert.notStrictEqual(targeted.code, 0, targeted.stdout);
            assert.match(targeted.stdout + targeted.stderr, message);
        } finally {
            e.writeConfig(saved);
        }
        assert.deepStrictEqual(await slice(e.cluster), before);
        await e.preview({ expectNoChanges: true });
    });

    it("decommission then removal deletes the slice but keeps the namespace and data volume (its Redis claim)", async () => {
        const e = env("production");
        const pvc = await kubectlJson(e.cluster, "get", "pvc/data-redis-0", "-n", ns);
        e.editConfig((c) => {
            c["neurallog:tenants"].find((t: any) => t.tenantId === id).decommission = true;
        });
        await e.up();
        e.editConfig((c) => {
            c["neurallog:tenants"] = c["neurallog:tenants"].filter((t: any) => t.tenantId !== id);
        });
        await e.up();
        const kept = await kubectlJson(e.cluster, "get", "pvc/data-redis-0", "-n", ns);
        assert.strictEqual(kept.metadata.uid, pvc.metadata.uid, "the data volume was recreated");
        assert.strictEqual(kept.status.phase, "Bound");
        const left = await kubectlJson(e.cluster, "get", "deployments,statefulsets", "-n", ns);
        assert.deepStrictEqual(left.items.map((o: any) => o.metadata.name), [], "workloads remain");
        const tenants = await kubectlJson(e.cluster, "get", "tenants");
        assert.ok(!tenants.items.some((t: any) => t.metadata.name === id), "Tenant object remains");
    });
});
