/**
 * Onboarding is a config edit: adding a tenant creates its slice and changes nothing
 * else — no other resource is renamed or gets different inputs.
 */
import * as assert from "assert";
import { parseQuantity } from "../../components/quantity";
import { ofType, Registered, runProgram, stackConfig } from "./harness";

const key = (r: Registered) => `${r.type}::${r.name}`;
// Generated values differ between runs of the mocks only by design of the mocks; compare inputs as registered.
const index = (rs: Registered[]) => new Map(rs.map((r) => [key(r), JSON.stringify(r.inputs)]));

for (const stack of ["test", "production"]) {
    it(`adding a tenant to ${stack} leaves every other resource's name and inputs unchanged`, async function () {
        this.timeout(120000);
        const config = stackConfig(stack);
        const before = await runProgram(config, stack);
        if (before.error) throw before.error;
        const newcomer = { tenantId: "newcomer", planId: "starter", billingEmail: "ops@newcomer.example", redis: { image: "redis:7.4.1-alpine" } };
        const after = await runProgram({ ...config, tenants: [...config.tenants, newcomer] }, stack);
        if (after.error) throw after.error;

        const was = index(before.resources);
        const now = index(after.resources);
        for (const [k, inputs] of was) {
            assert.ok(now.has(k), `${k} disappeared`);
            assert.strictEqual(now.get(k), inputs, `${k} changed`);
        }
        const added = [...now.keys()].filter((k) => !was.has(k));
        assert.ok(added.length >= 15, `only ${added.length} resources added`);
        for (const k of added) assert.match(k, /::tenant-newcomer(-|$)/, `${k} is not part of the new slice`);
        assert.ok(ofType(after, "kubernetes:neurallog.io/v1:Tenant").some((t) => t.inputs.metadata.name === "newcomer"));
    });
}

it("moving a tenant to another plan changes only its own objects, grows its data volume and never replaces its StatefulSet", async function () {
    this.timeout(120000);
    const config = stackConfig("test");
    const before = await runProgram(config);
    if (before.error) throw before.error;
    const id = config.tenants[0].tenantId;
    const tenants = config.tenants.map((t: any) => (t.tenantId === id ? { ...t, planId: "professional" } : t));
    const after = await runProgram({ ...config, tenants });
    if (after.error) throw after.error;
    const was = index(before.resources);
    const now = index(after.resources);
    // Deleted resources count as changes too: a plan change must never drop anything.
    const deleted = [...was.keys()].filter((k) => !now.has(k));
    assert.deepStrictEqual(deleted, [], "a plan change deleted resources");
    const changed = [...now].filter(([k, v]) => was.get(k) !== v).map(([k]) => k);
    assert.ok(changed.includes(`kubernetes:core/v1:ResourceQuota::tenant-${id}-quota`), changed.join("\n"));
    assert.ok(changed.includes(`kubernetes:core/v1:LimitRange::tenant-${id}-limits`), changed.join("\n"));
    for (const k of changed) assert.match(k, new RegExp(`::tenant-${id}-`), `${k} changed`);
    // The StatefulSet's immutable templates are ignored, so the engine never replaces it
    // (the e2e plan-change case shows its uid unchanged); the claim itself grows.
    const sts = after.resources.find((x) => x.name === `tenant-${id}-redis-statefulset`)!;
    assert.deepStrictEqual(sts.opts?.ignoreChanges, ["spec.volumeClaimTemplates"]);
    const claim = (r: typeof before) => r.resources.find((x) => x.name === `tenant-${id}-redis-data-redis-0`)!;
    const size = (r: typeof before) => parseQuantity(claim(r).inputs.spec.resources.requests.storage);
    assert.ok(size(after) > size(before), `${claim(after).inputs.spec.resources.requests.storage} after ${claim(before).inputs.spec.resources.requests.storage}`);
    assert.deepStrictEqual(claim(after).opts?.ignoreChanges, ["spec.storageClassName"]);
});
