/**
 * The e2e suite's check on the Automation API's event stream (tests/e2e/support.ts): a
 * preview whose events disagree with the engine's summary is caught, so an assertion
 * never passes or fails on an event the stream dropped.
 */
import * as assert from "assert";
import { eventsMissing } from "../e2e/support";

describe("preview events against the engine's summary", () => {
    const ops = new Map([
        ["urn:a", "same"],
        ["urn:b", "create"],
        ["urn:c", "delete"],
        ["urn:d", "delete-replaced"],
    ]);

    it("accepts events that match the summary, a replacement counted once", () => {
        assert.deepStrictEqual(eventsMissing(ops, { same: 1, create: 1, delete: 1, replace: 1 }), []);
    });

    it("names the operation whose event was dropped", () => {
        assert.deepStrictEqual(eventsMissing(ops, { same: 1, create: 1, delete: 2, replace: 1 }), ["delete: 1 events, 2 in the summary"]);
    });
});
