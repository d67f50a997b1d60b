/**
 * A fleet registers one tenant slice at a time: the SDK has sent a slice's objects before
 * the next slice is built, so registering 1,000 tenants never holds every tenant's props,
 * Outputs and serialized copies at once (bench A: 1.15 GiB of heap before, 758 MiB after).
 */
import * as assert from "assert";
import { runStack } from "./harness";

describe("registration", () => {
    it("sends every object of a tenant's slice before the next slice is built", async () => {
        const run = await runStack("test");
        const slices = run.resources.map((r, i) => ({ r, i })).filter(({ r }) => r.type === "neurallog:tenant:TenantSlice");
        assert.ok(slices.length >= 2, "the test stack has two tenants");
        for (let k = 0; k + 1 < slices.length; k++) {
            const tenant = slices[k].r.name;
            const next = slices[k + 1];
            const objects = run.resources.map((r, i) => ({ r, i })).filter(({ r }) => r.type.startsWith("kubernetes:") && r.name.startsWith(`${tenant}-`));
            assert.ok(objects.length > 10, `${tenant}'s slice objects`);
            const late = objects.filter(({ i }) => i > next.i).map(({ r }) => `${r.type} ${r.name}`);
            assert.deepStrictEqual(late, [], `registered after ${next.r.name} was built`);
        }
    });
});
