/** Promise: `pulumi up` of each environment completes with every workload Ready, and a second up changes nothing. */
import * as assert from "assert";
import { env } from "./hooks";
import { kubectlJson, workloadReadiness } from "./support";

for (const name of ["test", "production"] as const) {
    describe(`up: ${name}`, () => {
        it(`creates the whole ${name} stack with every workload Ready`, async () => {
            const e = env(name);
            const result = await e.up();
            assert.strictEqual(result.summary.result, "succeeded");
            const workloads = await workloadReadiness(e.cluster);
            const config = e.readConfig().config;
            // System server + one server and one Redis per tenant, at least.
            assert.ok(workloads.length >= 2 + 2 * config["neurallog:tenants"].length, JSON.stringify(workloads));
            const notReady = workloads.filter((w: any) => w.ready < w.want);
            assert.deepStrictEqual(notReady, [], "workloads not Ready");
            const tenants = await kubectlJson(e.cluster, "get", "tenants");
            assert.deepStrictEqual(
                tenants.items.map((t: any) => t.metadata.name).sort(),
                config["neurallog:tenants"].map((t: any) => t.tenantId).sort(),
            );
        });

        it(`reports no changes on a second up of ${name}`, async () => {
            const e = env(name);
            const result = await e.up();
            // `read` is the program reading its own last outputs (components/offboarding.ts): no change.
            const changed = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => !["same", "read"].includes(op));
            assert.deepStrictEqual(changed, [], "second up changed resources");
            await e.preview({ expectNoChanges: true });
        });
    });
}
