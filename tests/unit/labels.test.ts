/**
 * The labels other tools select by: the backup job finds tenant namespaces by
 * `neurallog.io/tenant-id` (components/backups.ts), `kubectl -l` finds a tenant's objects
 * by it, and Pod Security Admission reads its labels from each namespace. Each case renders
 * its own graph (mutation testing credits a shared render in a hook to one test only).
 */
import * as assert from "assert";
import { runProgram, stackConfig } from "./harness";

const TENANT_LABEL = "neurallog.io/tenant-id";

for (const stack of ["test", "production"]) {
    describe(`labels of the ${stack} stack`, () => {
        const render = async () => {
            const run = await runProgram(stackConfig(stack), stack);
            assert.ifError(run.error);
            return run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.inputs?.metadata);
        };

        it("marks every object of a tenant's slice with its tenant id, and no other object", async () => {
            const objects = await render();
            const tenants: { tenantId: string }[] = stackConfig(stack).tenants;
            assert.ok(tenants.length >= 2, "expected at least two tenants");
            for (const t of tenants) {
                const namespace = `tenant-${t.tenantId}`;
                const own = objects.filter((r) => r.inputs.metadata.namespace === namespace || (r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === namespace));
                assert.ok(own.length >= 10, `${namespace}: only ${own.length} objects`);
                for (const r of own) assert.strictEqual(r.inputs.metadata.labels?.[TENANT_LABEL], t.tenantId, `${r.type} ${r.name}`);
            }
            for (const r of objects) {
                const id = r.inputs.metadata.labels?.[TENANT_LABEL];
                if (id === undefined) continue;
                assert.ok(tenants.some((t) => t.tenantId === id) && r.name.startsWith(`tenant-${id}-`), `${r.type} ${r.name} carries ${TENANT_LABEL}=${id} outside that tenant's slice`);
            }
        });

        it("has every namespace it creates enforce, audit and warn the restricted Pod Security level at the latest version", async () => {
            const namespaces = (await render()).filter((r) => r.type === "kubernetes:core/v1:Namespace");
            assert.ok(namespaces.length >= 3, `only ${namespaces.length} namespaces`);
            for (const ns of namespaces) {
                const labels = ns.inputs.metadata.labels ?? {};
                for (const mode of ["enforce", "audit", "warn"]) {
                    assert.strictEqual(labels[`pod-security.kubernetes.io/${mode}`], "restricted", `${ns.inputs.metadata.name}: ${mode}`);
                }
                assert.strictEqual(labels["pod-security.kubernetes.io/enforce-version"], "latest", `${ns.inputs.metadata.name}: enforce-version`);
            }
        });
    });
}
