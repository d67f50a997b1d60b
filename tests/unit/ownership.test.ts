/** Drift healing starts with ownership: every object Pulumi manages forces its apply. */
import * as assert from "assert";
import { isKubernetesObject, PATCH_FORCE } from "../../components/ownership";
import { runStack } from "./harness";

describe("field ownership", () => {
    for (const stack of ["test", "production"]) {
        it(`marks every Kubernetes object of ${stack} to take its fields back on apply`, async () => {
            const run = await runStack(stack);
            assert.ifError(run.error);
            const objects = run.resources.filter((r) => isKubernetesObject(r.type));
            assert.ok(objects.length > 50, `only ${objects.length} objects`);
            const missing = objects.filter((o) => o.inputs.metadata?.annotations?.[PATCH_FORCE] !== "true");
            assert.deepStrictEqual(missing.map((o) => `${o.type} ${o.name}`), []);
        });
    }
});
