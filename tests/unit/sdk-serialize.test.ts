/**
 * The program serializes plain data and Outputs itself (components/sdk-serialize.ts),
 * and must give the engine what the SDK would: the same values and, per property, the
 * same dependencies in the same order. Compared on generated inputs in a process of their
 * own (tests/support/sdk-serialize-compare.ts).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { inputsSerializedSynchronously } from "../../components/sdk-serialize";
import { runStack } from "./harness";

const ROOT = path.resolve(__dirname, "../..");

interface Comparison {
    installed: boolean;
    compared: number;
    mismatches: unknown[];
    delegatedForDeployment: number;
}

function compare(seed: number, cases: number, env: Record<string, string> = {}): Comparison {
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "tests/support/sdk-serialize-compare.ts"), String(seed), String(cases)], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, NEURALLOG_SDK_SERIALIZE: "", ...env },
    });
    assert.strictEqual(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as Comparison;
}

describe("the program's serialization of inputs", () => {
    for (const seed of [1, 2, 3]) {
        it(`gives the SDK's values and dependencies on 500 generated inputs (seed ${seed})`, () => {
            const result = compare(seed, 500);
            assert.strictEqual(result.installed, true, "installs on the SDK release it mirrors");
            assert.strictEqual(result.compared, 500);
            assert.deepStrictEqual(result.mismatches, []);
        });
    }

    it("serializes a Deployment with Outputs and a secret in it without the SDK's per-value path", () => {
        assert.strictEqual(compare(4, 5).delegatedForDeployment, 0);
    });

    it("is left to the SDK under NEURALLOG_SDK_SERIALIZE=1", () => {
        assert.strictEqual(compare(1, 5, { NEURALLOG_SDK_SERIALIZE: "1" }).installed, false);
    });

    it("is what the program installs", async () => {
        await runStack("test");
        assert.strictEqual(inputsSerializedSynchronously(), true);
    });
});
