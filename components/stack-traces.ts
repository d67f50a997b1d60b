/**
 * The Pulumi SDK records a stack trace on every promise it creates (runtime/debuggable.ts,
 * for its leak report), several per resource, and reads it at once; under ts-node each
 * read maps every frame through source maps. For a fleet that was most of the time and
 * heap the program took to register its graph (README: Scale). `Pulumi.yaml` therefore
 * runs the program with `--stack-trace-limit=0`, and the bookkeeping traces (a bare
 * `new Error()`) are left unformatted, since they are never shown unless a promise leaks.
 *
 * NEURALLOG_FULL_STACKS=1 undoes both, for debugging a program bug or a leak report.
 */
type Prepare = (error: Error, frames: NodeJS.CallSite[]) => unknown;

const defaultFormat: Prepare = (error, frames) => [String(error), ...frames.map((f) => `    at ${f}`)].join("\n");

/** Frames an error keeps under NEURALLOG_FULL_STACKS=1 (Node's default is 10). */
const FULL_STACK_FRAMES = 50;

const fullStacks = () => process.env.NEURALLOG_FULL_STACKS === "1";

// At import, not in main(): components/program.ts imports this module first, so a bug
// thrown while the program's other modules load is captured with its frames too.
if (fullStacks()) Error.stackTraceLimit = Math.max(Error.stackTraceLimit, FULL_STACK_FRAMES);

let installed = false;

/** Idempotent; NEURALLOG_FULL_STACKS=1 keeps every trace formatted (debugging a leak report). */
export function skipBookkeepingStackTraces(): void {
    if (installed || fullStacks()) return;
    installed = true;
    const formatted: Prepare = (Error.prepareStackTrace as Prepare | undefined) ?? defaultFormat;
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
        error instanceof Error && error.constructor === Error && error.message === "" ? "Error (trace not recorded)" : formatted(error, frames);
}
