/**
 * The program's google.protobuf.Struct codec (components/protobuf-struct.ts) gives the
 * engine the same bytes, and the program the same objects, as google-protobuf's own code:
 * compared on generated objects in a process of their own
 * (tests/support/struct-codec-compare.ts), through every path the SDK takes.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { fastStructCodecInUse } from "../../components/protobuf-struct";
import { runStack } from "./harness";

const ROOT = path.resolve(__dirname, "../..");
const PATHS = ["encode", "decode", "unordered", "roundTrip", "request", "response", "valueApi", "edited"];

interface Comparison {
    installed: boolean;
    compared: Record<string, number>;
    mismatches: unknown[];
}

function compare(seed: number, objects: number, env: Record<string, string> = {}): Comparison {
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "tests/support/struct-codec-compare.ts"), String(seed), String(objects)], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, NEURALLOG_LIBRARY_STRUCT: "", ...env },
    });
    assert.strictEqual(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as Comparison;
}

describe("the Struct codec", () => {
    for (const seed of [1, 2, 3]) {
        it(`gives the library's bytes and objects on 500 generated objects (seed ${seed})`, () => {
            const result = compare(seed, 500);
            assert.strictEqual(result.installed, true, "installs on the SDK's google-protobuf");
            for (const p of PATHS) assert.ok(result.compared[p] >= 500, `${p}: ${result.compared[p]} compared`);
            assert.strictEqual(result.compared.refused, 3);
            assert.deepStrictEqual(result.mismatches, []);
        });
    }

    it("stays out under NEURALLOG_LIBRARY_STRUCT=1", () => {
        assert.strictEqual(compare(1, 1, { NEURALLOG_LIBRARY_STRUCT: "1" }).installed, false);
    });

    it("is what the program runs", async () => {
        await runStack("test");
        assert.strictEqual(fastStructCodecInUse(), true);
    });
});
