/** Promise: the API server itself enforces each tenant's quota, limits, Pod Security and RBAC boundaries. */
import { limitRangeDefaultsApply, privilegedPodIsRefused, quotaOverrunIsRefused, tenantAccountsAreIsolated } from "../support/isolation";
import { env } from "./hooks";
import { kubectlJson } from "./support";

describe("isolation enforced by the API server", () => {
    const ns = "tenant-globex";
    const c = () => env("test").cluster;

    it("rejects a pod that would exceed the tenant's quota", () => quotaOverrunIsRefused(c(), ns));
    it("gives a pod without resources the LimitRange defaults", () => limitRangeDefaultsApply(c(), ns));
    it("refuses a privileged pod through Pod Security admission", () => privilegedPodIsRefused(c(), ns));
    it("keeps every tenant's service account out of every other tenant, and in its own", async () => {
        const tenants = (await kubectlJson(c(), "get", "tenants")).items.map((t: any) => t.spec.namespace);
        await tenantAccountsAreIsolated(c(), tenants, env("test").readConfig().config["neurallog:namespace"]);
    });
});
