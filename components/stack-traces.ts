/**
 * The Pulumi SDK records a stack trace on every promise it creates (runtime/debuggable.ts,
 * for its leak report), several per resource, and reads it at once; under ts-node each
 * read maps every frame through source maps. For a fleet that was most of the time and
 * heap the program took to register its graph (bench/README.md). Those bookkeeping traces
 * (a bare `new Error()`) are never shown unless a promise leaks, so they are left
 * unformatted; every other error keeps its source-mapped stack.
 */
type Prepare = (error: Error, frames: NodeJS.CallSite[]) => unknown;

const defaultFormat: Prepare = (error, frames) => [String(error), ...frames.map((f) => `    at ${f}`)].join("\n");

let installed = false;

/** Idempotent; NEURALLOG_FULL_STACKS=1 keeps every trace formatted (debugging a leak report). */
export function skipBookkeepingStackTraces(): void {
    if (installed || process.env.NEURALLOG_FULL_STACKS === "1") return;
    installed = true;
    const formatted: Prepare = (Error.prepareStackTrace as Prepare | undefined) ?? defaultFormat;
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
        error instanceof Error && error.constructor === Error && error.message === "" ? "Error (trace not recorded)" : formatted(error, frames);
}
