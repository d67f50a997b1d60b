/**
 * The policy pack's config comes from the stack's own config: the environment and the
 * registries production may pull from have one source, Pulumi.<stack>.yaml.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { POLICIES } from "../../policies";
import { policyPackConfig, stackFacts, writePolicyPackConfig } from "../../scripts/policy-config";
import { ROOT, stackConfig } from "./harness";

describe("policy pack config", () => {
    it("tells every policy the stack's environment and, in production, its registries", () => {
        for (const stack of ["test", "production"]) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "neurallog-pack-"));
            try {
                fs.copyFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
                const config = JSON.parse(fs.readFileSync(writePolicyPackConfig(stack, dir), "utf8"));
                assert.deepStrictEqual(Object.keys(config).sort(), POLICIES.map((p) => p.name).sort());
                const expected = stackConfig(stack);
                for (const facts of Object.values(config) as any[]) {
                    assert.strictEqual(facts.environment, expected.environment);
                    assert.deepStrictEqual(facts.allowedRegistries, expected.imageRegistries);
                }
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }
    });

    it("defaults the environment as the program does, and leaves registries out when none are set", () => {
        assert.deepStrictEqual(stackFacts({ config: {} }), { environment: "development" });
        assert.deepStrictEqual(policyPackConfig({ environment: "test" })[POLICIES[0].name], { environment: "test" });
    });

    it("names the stack file it could not find", () => {
        assert.throws(() => writePolicyPackConfig("nope", os.tmpdir()), /Pulumi\.nope\.yaml not found: no stack "nope"/);
    });
});
