/**
 * Vertical pod autoscaling (components/workload.ts, config.ts): a VPA where the config
 * asks for one, recommendations only by default, and never one that fights an HPA.
 */
import * as assert from "assert";
import { configProblems as problemsOf, ofType, runStack, stackConfig } from "./harness";

const VPA = "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler";

/** Production with the VPA'd service's settings replaced. */
function withVpa(vpa: Record<string, unknown>, autoscaling?: Record<string, unknown>) {
    const config = stackConfig("production");
    const i = config.services.findIndex((s: any) => s.vpa);
    config.services[i].vpa = vpa;
    if (autoscaling) config.services[i].autoscaling = autoscaling;
    return { config, i };
}

describe("vertical pod autoscaling", () => {
    it("gives production's MLCF API a recommendation-only VPA with the config's bounds, and nothing else one", async () => {
        const config = stackConfig("production");
        const asked = config.services.filter((s: any) => s.vpa?.enabled);
        assert.ok(asked.length > 0);
        const run = await runStack("production");
        assert.ifError(run.error);
        const vpas = ofType(run, VPA);
        assert.deepStrictEqual(vpas.map((v) => v.inputs.metadata.name).sort(), asked.map((s: any) => s.name).sort());
        for (const s of asked) {
            const spec = vpas.find((v) => v.inputs.metadata.name === s.name)!.inputs.spec;
            assert.deepStrictEqual(spec.targetRef, { apiVersion: "apps/v1", kind: "Deployment", name: s.name });
            assert.strictEqual(spec.updatePolicy.updateMode, "Off");
            const policy = spec.resourcePolicy.containerPolicies[0];
            assert.deepStrictEqual(policy.minAllowed, s.vpa.minAllowed);
            assert.deepStrictEqual(policy.maxAllowed, s.vpa.maxAllowed);
            // The container the policy names is the Deployment's.
            const deployment = ofType(run, "kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.name === s.name)!;
            assert.deepStrictEqual(deployment.inputs.spec.template.spec.containers.map((c: any) => c.name), [policy.containerName]);
        }
        assert.deepStrictEqual(ofType(await runStack("test"), VPA), []);
    });

    it("defaults to updateMode Off when the config names none", async () => {
        const { config } = withVpa({ enabled: true });
        assert.deepStrictEqual(problemsOf(config), []);
    });

    it("refuses a VPA that would change the requests the HPA scales on, naming the key", () => {
        const { config, i } = withVpa({ enabled: true, updateMode: "Recreate" }, { enabled: true, minReplicas: 3, maxReplicas: 20, targetCPUUtilization: 70 });
        const problems = problemsOf(config);
        assert.strictEqual(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], new RegExp(`^neurallog:services\\[${i}\\]\\.vpa\\.updateMode "Recreate" would change the cpu requests the HPA`));
    });

    it("names memory too when the HPA also scales on memory", () => {
        const { config } = withVpa({ enabled: true, updateMode: "InPlaceOrRecreate" }, { enabled: true, minReplicas: 3, maxReplicas: 20, targetCPUUtilization: 70, targetMemoryUtilization: 80 });
        assert.match(problemsOf(config).join("\n"), /would change the cpu and memory requests/);
    });

    it("accepts an acting VPA on a resource the HPA does not scale on", () => {
        const { config } = withVpa({ enabled: true, updateMode: "Recreate", controlledResources: ["memory"] }, { enabled: true, minReplicas: 3, maxReplicas: 20, targetCPUUtilization: 70 });
        assert.deepStrictEqual(problemsOf(config), []);
    });

    it('refuses "Auto" with the mode to write instead, and bounds the wrong way round', () => {
        assert.match(problemsOf(withVpa({ enabled: true, updateMode: "Auto" }).config).join("\n"), /vpa\.updateMode .*"Auto" is deprecated by the VPA project: write "Recreate"/);
        const problems = problemsOf(withVpa({ enabled: true, minAllowed: { cpu: "2" }, maxAllowed: { cpu: "500m" } }).config);
        assert.match(problems.join("\n"), /vpa\.minAllowed\.cpu 2 must not exceed vpa\.maxAllowed\.cpu \(500m\)/);
    });
});
