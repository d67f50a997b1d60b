/**
 * The program keeps the SDK's leak check and drops only its per-promise labels
 * (components/promise-leaks.ts). The check runs when the process exits, so each case
 * runs in a process of its own, with the program's code and with the SDK's.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { leakCheckOnly } from "../../components/promise-leaks";
import { runStack } from "./harness";

const ROOT = path.resolve(__dirname, "../..");

/** Exits normally with `pending` promises still pending; reports what a rejection carries. */
function leakIn(pending: number, env: Record<string, string>): { status: number | null; stderr: string; report: { installed: boolean; value: unknown; rejectionPromise: boolean } } {
    const script = `
        const m = require("./components/promise-leaks");
        const installed = m.keepLeakCheckOnly();
        const d = require("@pulumi/pulumi/runtime/debuggable");
        (async () => {
            const value = await d.debuggablePromise(Promise.resolve(42), "resolved");
            const rejected = Promise.reject(new Error("refused"));
            const rejectionPromise = await d.debuggablePromise(rejected, "rejected").catch((e) => e.promise === rejected);
            for (let i = 0; i < ${pending}; i++) d.debuggablePromise(new Promise(() => {}), "pending-" + i);
            console.log(JSON.stringify({ installed, value, rejectionPromise }));
        })();`;
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, NEURALLOG_SDK_PROMISES: "", PULUMI_DEBUG_PROMISE_LEAKS: "", ...env },
    });
    return { status: run.status, stderr: run.stderr, report: JSON.parse(run.stdout) };
}

describe("the SDK's promise leak check", () => {
    it("still fails a program that exits with promises pending, with the SDK's message", () => {
        const ours = leakIn(2, {});
        const sdk = leakIn(2, { NEURALLOG_SDK_PROMISES: "1" });
        assert.strictEqual(ours.report.installed, true);
        assert.strictEqual(sdk.report.installed, false);
        assert.strictEqual(ours.status, 1);
        assert.match(ours.stderr, /The Pulumi runtime detected that 2 promises were still active/);
        assert.strictEqual(ours.status, sdk.status);
        assert.strictEqual(ours.stderr, sdk.stderr);
    });

    it("passes a program whose promises all settled, and keeps values and a rejection's promise", () => {
        const ours = leakIn(0, {});
        assert.strictEqual(ours.status, 0, ours.stderr);
        assert.strictEqual(ours.stderr, "");
        assert.deepStrictEqual(ours.report, { installed: true, value: 42, rejectionPromise: true });
        assert.deepStrictEqual(leakIn(0, { NEURALLOG_SDK_PROMISES: "1" }).report, { ...ours.report, installed: false });
    });

    it("labels every promise under PULUMI_DEBUG_PROMISE_LEAKS", () => {
        const ours = leakIn(2, { PULUMI_DEBUG_PROMISE_LEAKS: "1" });
        assert.strictEqual(ours.status, 1);
        for (const label of ["pending-0", "pending-1"]) assert.match(ours.stderr, new RegExp(`CONTEXT\\(\\d+\\): ${label}`));
    });

    it("is what the program installs", async () => {
        await runStack("test");
        assert.strictEqual(leakCheckOnly(), true);
    });
});
