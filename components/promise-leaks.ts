/**
 * The SDK passes every promise it makes, several per resource, through
 * `debuggablePromise` (runtime/debuggable.ts). That adds the promise to the set its
 * leak check counts when the program exits (a program that exits with a promise still
 * pending fails, with a message saying why), and first gives the promise three
 * properties, an id, a label and a fresh `new Error().stack`, which only the detailed
 * report under PULUMI_DEBUG_PROMISE_LEAKS reads, and wraps it in two more promises.
 * Registering a 1,000-tenant graph under the mock runtime spent 1.2 of 16 s in it
 * (README: Scale).
 *
 * keepLeakCheckOnly() keeps the leak check as it is (the set, the check at exit, its
 * message, a rejection's `promise`) with one wrapping promise and no labels. Under
 * PULUMI_DEBUG_PROMISE_LEAKS the SDK labels every promise as before, and
 * NEURALLOG_SDK_PROMISES=1 keeps the SDK's own code. It installs only on the SDK release
 * it was checked against.
 */
import { onCheckedSdk } from "./sdk-serialize";
import { sdkModule } from "./sdk-debug-log";

type Debuggable = <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
interface DebuggableModule {
    debugPromiseLeaks: boolean;
    debuggablePromise: Debuggable;
}
interface StateModule {
    getStore(): { leakCandidates: Set<Promise<unknown>> };
}

const debuggableModule = () => sdkModule<DebuggableModule>("runtime/debuggable");
const sdkDebuggable = debuggableModule().debuggablePromise;

/** Whether the SDK's promises go through this module now. */
export function leakCheckOnly(): boolean {
    return debuggableModule().debuggablePromise !== sdkDebuggable;
}

/** Idempotent; a no-op under NEURALLOG_SDK_PROMISES=1 or on another SDK release. Returns whether it is installed. */
export function keepLeakCheckOnly(): boolean {
    if (leakCheckOnly()) return true;
    if (process.env.NEURALLOG_SDK_PROMISES === "1") return false;
    if (!onCheckedSdk()) return false;
    const debuggable = debuggableModule();
    const state = sdkModule<StateModule>("runtime/state");
    let checkScheduled = false;
    debuggable.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
        // The SDK's own first call schedules the check at exit; under
        // PULUMI_DEBUG_PROMISE_LEAKS every promise needs the SDK's labels.
        if (!checkScheduled || debuggable.debugPromiseLeaks) {
            checkScheduled = true;
            return sdkDebuggable(p, ctx);
        }
        const store = state.getStore();
        store.leakCandidates.add(p);
        return p.then(
            (value) => {
                store.leakCandidates.delete(p);
                return value;
            },
            (err: { promise?: unknown }) => {
                store.leakCandidates.delete(p);
                err.promise = p;
                throw err;
            },
        );
    };
    return true;
}
