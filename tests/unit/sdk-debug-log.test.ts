/**
 * The SDK's own debug messages stay in the program (components/sdk-debug-log.ts): the
 * e2e suite shows a `--debug` preview without them, and with them under
 * NEURALLOG_SDK_DEBUG=1; here, what the program installs and what it leaves alone.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { FORMATTED_RESPONSES, sdkDebugMessagesDropped, sdkModule } from "../../components/sdk-debug-log";
import { runStack } from "./harness";

const ROOT = path.resolve(__dirname, "../..");

/** In a process of its own: install under `env`, then how a RegisterResourceResponse with a URN prints. */
function installIn(env: Record<string, string>): { dropped: boolean; printed: string } {
    const script = `
        const m = require("./components/sdk-debug-log");
        m.dropSdkDebugMessages();
        const { RegisterResourceResponse } = require("@pulumi/pulumi/proto/resource_pb");
        const r = new RegisterResourceResponse();
        r.setUrn("urn:pulumi:bench::neurallog::kubernetes:core/v1:ConfigMap::tenant-a");
        console.log(JSON.stringify({ dropped: m.sdkDebugMessagesDropped(), printed: String(r) }));`;
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NEURALLOG_SDK_DEBUG: "", ...env } });
    assert.strictEqual(run.status, 0, run.stderr);
    return JSON.parse(run.stdout);
}

describe("the SDK's debug messages", () => {
    it("are dropped by the program, and every response the SDK formats prints as its type", async () => {
        await runStack("test");
        assert.strictEqual(sdkDebugMessagesDropped(), true);
        for (const [file, names] of Object.entries(FORMATTED_RESPONSES))
            for (const name of names) {
                const Message = sdkModule<Record<string, any>>(file)[name];
                assert.ok(Message, `@pulumi/pulumi has no ${file}.${name} any more: FORMATTED_RESPONSES is out of date`);
                assert.match(String(new Message()), new RegExp(`^\\[${name}: not formatted`));
            }
    });

    it("print nothing of a response's contents once dropped", () => {
        const { dropped, printed } = installIn({});
        assert.strictEqual(dropped, true);
        assert.ok(!printed.includes("urn:pulumi"), printed);
    });

    it("are left to the SDK under NEURALLOG_SDK_DEBUG=1", () => {
        const { dropped, printed } = installIn({ NEURALLOG_SDK_DEBUG: "1" });
        assert.strictEqual(dropped, false);
        assert.ok(printed.includes("urn:pulumi:bench::neurallog"), printed);
    });
});
