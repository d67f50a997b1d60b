/**
 * Tenant data is never lost by a config edit: namespaces and data volumes (the tenant's
 * Redis claims) are protected unless a stack opts out, and offboarding on purpose
 * retains them in the cluster.
 */
import * as assert from "assert";
import { Registered, runProgram, stackConfig } from "./harness";

const CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";
/** The tenant's namespace and every claim in it; at least one claim each. */
const guarded = (resources: Registered[], tenantId: string) => {
    const claims = resources.filter((r) => r.type === CLAIM && r.inputs.metadata.namespace === `tenant-${tenantId}`);
    assert.ok(claims.length >= 1, `tenant ${tenantId} has no data claim`);
    return [...resources.filter((r) => r.name === `tenant-${tenantId}-namespace`), ...claims];
};
const expectedCount = (t: any) => 1 + (t.redis?.replicas ?? 1);

describe("tenant data protection", () => {
    it("protects namespaces and data volumes unless the stack opts out", async () => {
        const { protectTenantData, ...config } = stackConfig("test");
        assert.strictEqual(protectTenantData, false, "the test stack opts out explicitly");
        const run = await runProgram({ ...config, environment: "staging" });
        if (run.error) throw run.error;
        assert.ok(config.tenants.length >= 2, "no tenants to check");
        for (const t of config.tenants) {
            const rs = guarded(run.resources, t.tenantId);
            assert.strictEqual(rs.length, expectedCount(t));
            for (const r of rs) {
                assert.strictEqual(r.opts?.protect, true, `${r.name} unprotected by default`);
                assert.ok(!r.opts?.retainOnDelete, `${r.name} retained without decommission`);
            }
        }
        // The platform's own store claims too.
        const platformClaims = run.resources.filter((r) => r.type === CLAIM && r.inputs.metadata.namespace === config.namespace);
        assert.ok(platformClaims.length >= 1, "no platform store claims");
        for (const r of platformClaims) assert.strictEqual(r.opts?.protect, true, `${r.name} unprotected by default`);
        // Workloads stay freely replaceable.
        const deployment = run.resources.find((r) => r.name === `tenant-${config.tenants[0].tenantId}-server-deployment`);
        assert.ok(deployment && !deployment.opts?.protect);
    });

    it("decommissioning lifts protection and retains namespace and data on delete", async () => {
        const config = stackConfig("production");
        const [first, ...others] = config.tenants;
        const run = await runProgram({ ...config, tenants: [{ ...first, decommission: true }, ...others] }, "production");
        if (run.error) throw run.error;
        const released = guarded(run.resources, first.tenantId);
        assert.strictEqual(released.length, expectedCount(first), `namespace and data volumes of ${first.tenantId}`);
        for (const r of released) {
            assert.strictEqual(r.opts?.protect, false, r.name);
            assert.strictEqual(r.opts?.retainOnDelete, true, r.name);
        }
        const kept = guarded(run.resources, others[0].tenantId);
        assert.strictEqual(kept.length, expectedCount(others[0]), `namespace and data volumes of ${others[0].tenantId}`);
        for (const r of kept) assert.strictEqual(r.opts?.protect, true, r.name);
    });
});
