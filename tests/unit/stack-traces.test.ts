/**
 * The SDK's bookkeeping traces go unformatted (the cost of a fleet's registration), and
 * every error a user may read keeps its stack.
 */
import * as assert from "assert";
import { skipBookkeepingStackTraces } from "../../components/stack-traces";

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
});
