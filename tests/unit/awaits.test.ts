/** Services skip the provider's ten-second endpoint wait; what it checked must hold by construction. */
import * as assert from "assert";
import { SKIP_AWAIT } from "../../components/awaits";
import { runStack } from "./harness";

const SERVICE = "kubernetes:core/v1:Service";
const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];

/** Whether a pod of this workload carries label k=v: from its template, or the one a StatefulSet's controller adds per member. */
function podLabel(w: any, k: string, v: unknown): boolean {
    if (w.inputs.spec.template.metadata.labels?.[k] === v) return true;
    if (w.type !== "kubernetes:apps/v1:StatefulSet" || k !== "statefulset.kubernetes.io/pod-name") return false;
    const ordinal = Number(String(v).slice(`${w.inputs.metadata.name}-`.length));
    return String(v).startsWith(`${w.inputs.metadata.name}-`) && Number.isInteger(ordinal) && ordinal >= 0 && ordinal < (w.inputs.spec.replicas ?? 1);
}

describe("what an up waits for", () => {
    for (const stack of ["test", "production"]) {
        it(`skips the endpoint-settling wait on every Service of ${stack}, and each selects a pod template of its namespace`, async () => {
            const run = await runStack(stack);
            assert.ifError(run.error);
            const services = run.resources.filter((r) => r.type === SERVICE);
            assert.ok(services.length >= 4, `only ${services.length} Services`);
            const waiting = services.filter((s) => s.inputs.metadata?.annotations?.[SKIP_AWAIT] !== "true");
            assert.deepStrictEqual(waiting.map((s) => s.name), [], "Services left to the provider's endpoint wait");
            const templates = run.resources.filter((r) => WORKLOADS.includes(r.type));
            const orphans = services.filter((s) => {
                const wanted = Object.entries(s.inputs.spec.selector ?? {});
                if (wanted.length === 0) return true;
                return !templates.some((w) => w.inputs.metadata.namespace === s.inputs.metadata.namespace && wanted.every(([k, v]) => podLabel(w, k, v)));
            });
            assert.deepStrictEqual(orphans.map((s) => `${s.inputs.metadata.namespace}/${s.inputs.metadata.name}`), [], "Services that select no pod template");
        });
    }

    it("keeps the workloads' readiness waits: no Deployment or StatefulSet skips its await", async () => {
        const run = await runStack("production");
        assert.ifError(run.error);
        const skipping = run.resources.filter((r) => WORKLOADS.includes(r.type) && r.inputs.metadata?.annotations?.[SKIP_AWAIT] !== undefined);
        assert.deepStrictEqual(skipping.map((r) => r.name), []);
    });
});
