/**
 * The SDK's bookkeeping traces go unformatted (the cost of a fleet's registration), the
 * program runs without frames (Pulumi.yaml's nodeargs), and NEURALLOG_FULL_STACKS=1
 * brings every frame back for debugging.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { skipBookkeepingStackTraces } from "../../components/stack-traces";

const ROOT = path.resolve(__dirname, "../..");

describe("stack traces", () => {
    before(() => skipBookkeepingStackTraces());

    it("leaves a bare new Error() (the SDK's per-promise record) unformatted", () => {
        assert.strictEqual(new Error().stack, "Error (trace not recorded)");
    });

    it("keeps the frames of an error with a message, of Error subclasses, and of captured objects", () => {
        assert.match(new Error("config is wrong").stack!, /^Error: config is wrong\n\s+at .*stack-traces\.test\.ts/);
        assert.match(new TypeError().stack!, /^TypeError\n\s+at /);
        const holder: { stack?: string } = {};
        Error.captureStackTrace(holder);
        assert.match(holder.stack!, /stack-traces\.test\.ts/, "a captured object keeps its frames");
    });

    describe("under the program's own Node arguments", () => {
        const nodeArgs = String(YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).runtime.options.nodeargs)
            .split(/\s+/)
            .filter(Boolean);
        let dir: string;
        let script: string;
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-traces-"));
            script = path.join(dir, "bug.js");
            // What components/program.ts does: import stack-traces first, then fail in a nested call.
            fs.writeFileSync(
                script,
                [
                    `require(${JSON.stringify(path.join(ROOT, "components/stack-traces.ts"))}).skipBookkeepingStackTraces();`,
                    "function deepInTheProgram() { return undefined.field; }",
                    "function caller() { return deepInTheProgram(); }",
                    "caller();",
                ].join("\n"),
            );
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        const run = (env: Record<string, string>) =>
            spawnSync(process.execPath, [...nodeArgs, "-r", "ts-node/register/transpile-only", script], {
                cwd: ROOT,
                encoding: "utf8",
                env: { ...process.env, NEURALLOG_FULL_STACKS: "", ...env },
            });

        it("print an error's message alone", () => {
            const r = run({});
            assert.notStrictEqual(r.status, 0);
            assert.match(r.stderr, /TypeError: Cannot read properties of undefined \(reading 'field'\)/);
            assert.doesNotMatch(r.stderr, /^\s+at /m, "no frame is captured");
        });

        it("print every frame with NEURALLOG_FULL_STACKS=1", () => {
            const r = run({ NEURALLOG_FULL_STACKS: "1" });
            assert.match(r.stderr, /TypeError: Cannot read properties of undefined/);
            assert.match(r.stderr, /at deepInTheProgram .*bug\.js:2/);
            assert.match(r.stderr, /at caller .*bug\.js:3/);
        });
    });
});
