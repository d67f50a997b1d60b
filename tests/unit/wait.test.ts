/** The suites' waits retry only "not yet": a bug in a check fails at once, with its own message. */
import * as assert from "assert";
import { NotYet, waitFor } from "../support/cluster";

describe("waitFor", () => {
    it("retries undefined and NotYet until the check returns a value", async () => {
        let calls = 0;
        const v = await waitFor("three calls", async () => {
            calls++;
            if (calls === 1) return undefined;
            if (calls === 2) throw new NotYet("not yet");
            return "ready";
        }, 10);
        assert.strictEqual(v, "ready");
        assert.strictEqual(calls, 3);
    });

    it("fails at once on a TypeError or an assertion, without waiting for the deadline", async () => {
        for (const bug of [() => (undefined as any).status.phase, () => assert.strictEqual(1, 2)]) {
            const started = Date.now();
            await assert.rejects(waitFor("a buggy check", async () => bug(), 30), (e: Error) => !/timed out/.test(e.message));
            assert.ok(Date.now() - started < 2000, "retried a bug");
        }
    });

    it("reports what it was still waiting for at the deadline", async () => {
        await assert.rejects(waitFor("the moon", async () => { throw new NotYet("still rising"); }, 1), /timed out after 1s waiting for the moon: Error: still rising/);
    });
});
