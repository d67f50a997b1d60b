/**
 * Promise: removing a tenant from config never silently destroys its data. An accidental
 * removal is refused; the deliberate path (decommission, then remove) deletes the
 * workloads and keeps the namespace and data volume.
 */
import * as assert from "assert";
import { env } from "./hooks";
import { kubectlJson } from "./support";

describe("offboarding without data loss (production)", () => {
    const id = "hooli";
    const ns = `tenant-${id}`;

    it("refuses an accidental removal and leaves the tenant untouched", async () => {
        const e = env("production");
        const before = await kubectlJson(e.cluster, "get", "all,pvc,resourcequota,networkpolicy", "-n", ns);
        const saved = e.readConfig();
        e.editConfig((c) => {
            c["neurallog:tenants"] = c["neurallog:tenants"].filter((t: any) => t.tenantId !== id);
        });
        await assert.rejects(e.up(), /protect/);
        const after = await kubectlJson(e.cluster, "get", "all,pvc,resourcequota,networkpolicy", "-n", ns);
        const versions = (l: any) => l.items.map((o: any) => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
        assert.deepStrictEqual(versions(after).filter((v: string) => !v.startsWith("Pod/")), versions(before).filter((v: string) => !v.startsWith("Pod/")));
        e.writeConfig(saved);
    });

    it("decommission then removal deletes the slice but keeps the namespace and data volume", async () => {
        const e = env("production");
        const pvc = await kubectlJson(e.cluster, "get", "pvc/tenant-data-storage", "-n", ns);
        e.editConfig((c) => {
            c["neurallog:tenants"].find((t: any) => t.tenantId === id).decommission = true;
        });
        await e.up();
        e.editConfig((c) => {
            c["neurallog:tenants"] = c["neurallog:tenants"].filter((t: any) => t.tenantId !== id);
        });
        await e.up();
        const kept = await kubectlJson(e.cluster, "get", "pvc/tenant-data-storage", "-n", ns);
        assert.strictEqual(kept.metadata.uid, pvc.metadata.uid, "the data volume was recreated");
        assert.strictEqual(kept.status.phase, "Bound");
        const left = await kubectlJson(e.cluster, "get", "deployments,statefulsets", "-n", ns);
        assert.deepStrictEqual(left.items.map((o: any) => o.metadata.name), [], "workloads remain");
        const tenants = await kubectlJson(e.cluster, "get", "tenants");
        assert.ok(!tenants.items.some((t: any) => t.metadata.name === id), "Tenant object remains");
    });
});
