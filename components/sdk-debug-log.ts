/**
 * The Pulumi SDK logs its own bookkeeping at debug severity, several messages per
 * resource ("Registering resource …", "RegisterResource RPC prepared …", "… finished …,
 * resp: <the response>"), and sends every one to the engine as a gRPC call of its own,
 * each after the last has returned, whatever the CLI's verbosity. The engine formats each
 * into a display event and shows it only under `--debug`. Before that, the "finished"
 * message turns the engine's whole response, a resource's live state, into a string. In a
 * no-change preview of 100 tenants that was a fifth of the program's CPU, a sixth of the
 * preview's time and 170 MB of the engine's memory (README: Scale).
 *
 * dropSdkDebugMessages() keeps those messages in the program: the SDK's `log.debug`
 * returns at once, and the RPC responses it would have printed print as their type.
 * Information, warnings and errors reach the engine as before. NEURALLOG_SDK_DEBUG=1
 * leaves the SDK as it is, for `pulumi preview --debug`.
 */
import * as path from "path";

/** The responses the SDK puts into its debug messages whole, by their module in the SDK. */
export const FORMATTED_RESPONSES: Record<string, string[]> = {
    "proto/resource_pb": ["RegisterResourceResponse", "ReadResourceResponse"],
    "proto/provider_pb": ["InvokeResponse", "CallResponse"],
};

type DebugLog = (message: string, ...rest: unknown[]) => Promise<void>;

const dropped: DebugLog = () => Promise.resolve();

/** A module of the SDK's own: the one its runtime calls, wherever npm put it. */
export function sdkModule<T>(file: string): T {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), file)) as T;
}
const sdkLog = () => sdkModule<{ debug: DebugLog }>("log");

/** Whether the SDK's debug messages stay in the program now (the program dropped them). */
export function sdkDebugMessagesDropped(): boolean {
    return sdkLog().debug === dropped;
}

/** Idempotent; a no-op under NEURALLOG_SDK_DEBUG=1. Returns whether the messages are dropped. */
export function dropSdkDebugMessages(): boolean {
    if (process.env.NEURALLOG_SDK_DEBUG === "1") return false;
    const log = sdkLog();
    if (log.debug === dropped) return true;
    for (const [file, names] of Object.entries(FORMATTED_RESPONSES)) {
        const messages = sdkModule<Record<string, { prototype: object } | undefined>>(file);
        for (const name of names) {
            const label = `[${name}: not formatted; NEURALLOG_SDK_DEBUG=1 formats it]`;
            const message = messages[name];
            // A release that renamed it costs time, not correctness; the unit test names it.
            if (!message) continue;
            Object.defineProperty(message.prototype, "toString", { value: () => label, configurable: true, writable: true });
        }
    }
    log.debug = dropped;
    return true;
}
