/**
 * Promise: the SDK's own per-resource debug messages stay in the program (they cost a
 * sixth of a preview), and a user who wants them gets them back with NEURALLOG_SDK_DEBUG=1.
 */
import * as assert from "assert";
import { env } from "./hooks";
import { pulumiCliWith } from "./support";

/**
 * The SDK's per-resource debug messages a `--debug` preview printed, but the root stack's:
 * the SDK registers it before the program runs.
 */
const sdkMessages = (out: string) => out.split("\n").filter((l) => l.includes("RegisterResource RPC finished") && !l.includes("[pulumi:pulumi:Stack]")).length;

describe("the SDK's debug messages", () => {
    it("reach no `--debug` preview, and come back, one per resource, under NEURALLOG_SDK_DEBUG=1", async () => {
        const e = env("test");
        const quiet = await pulumiCliWith({}, e, "preview", "--debug", "--expect-no-changes");
        assert.strictEqual(quiet.code, 0, quiet.stderr + quiet.stdout.slice(-4000));
        const loud = await pulumiCliWith({ NEURALLOG_SDK_DEBUG: "1" }, e, "preview", "--debug", "--expect-no-changes");
        assert.strictEqual(loud.code, 0, loud.stderr + loud.stdout.slice(-4000));
        const unchanged = Number(/(\d+) unchanged/.exec(loud.stdout)?.[1]);
        assert.ok(unchanged > 0, loud.stdout.slice(-2000));
        assert.strictEqual(sdkMessages(quiet.stdout + quiet.stderr), 0);
        // One for each resource but the root stack, at least.
        assert.ok(sdkMessages(loud.stdout + loud.stderr) >= unchanged - 1, `${sdkMessages(loud.stdout)} messages for ${unchanged} resources`);
    });
});
