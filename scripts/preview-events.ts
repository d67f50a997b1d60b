/**
 * What the engine's step events say about each object, shared by the drift report
 * (scripts/drift.ts) and the change summary (scripts/summary.ts).
 */
import { EngineEvent, LocalWorkspace, Stack, StepEventMetadata } from "@pulumi/pulumi/automation";

export interface DriftedObject {
    /** `Kind namespace/name` as kubectl would show it. */
    object: string;
    urn: string;
    /** The planned step: update, replace, create, delete (for drift: create = deleted in the cluster). */
    op: string;
    /** Property paths that differ; `(deleted in the cluster)` for an object that is gone. */
    fields: string[];
}

/** Steps that change nothing. */
const UNCHANGED = new Set(["same", "read", "refresh", "discard"]);
const UNKNOWN_TENANT = "tenant (unknown)";

/** The steps of one replacement (create-replacement, replace, delete-replaced): one change. */
const isReplacement = (op: string) => /replace/.test(op) && !UNCHANGED.has(op.split("-")[0]);

/** An object a preview changes: its step, and the group it belongs to (see groupOf). */
export interface ChangedObject extends StepEventMetadata {
    group: string;
}

/**
 * Pure: what a preview changes, one entry per object (URN), as the engine's own summary
 * counts it. A replacement is three steps on one URN (create-replacement, replace,
 * delete-replaced): one "replace" here, with every field the steps name. The event stream
 * has also delivered one step twice (a pull-request summary once counted a Tenant update
 * as two). The engine's own `pulumi:` resources are left out.
 */
export function changedObjects(events: EngineEvent[]): ChangedObject[] {
    const steps = events.flatMap((e) => (e.resourcePreEvent ? [e.resourcePreEvent.metadata] : []));
    // An object with no namespace of its own (a generated credential) is in its parent's group,
    // known from the parent's other children, changed or not.
    const parentGroups = new Map<string, string>();
    for (const m of steps) {
        const parent = m.new?.parent ?? m.old?.parent;
        const group = groupOf(m);
        if (parent && group.startsWith("tenant ") && group !== UNKNOWN_TENANT) parentGroups.set(parent, group);
    }
    const byUrn = new Map<string, ChangedObject>();
    for (const m of steps) {
        if (UNCHANGED.has(m.op) || m.type.startsWith("pulumi:")) continue;
        const seen = byUrn.get(m.urn);
        if (!seen) {
            let group = groupOf(m);
            if (group === UNKNOWN_TENANT) group = parentGroups.get(m.new?.parent ?? m.old?.parent ?? "") ?? group;
            byUrn.set(m.urn, { ...m, op: isReplacement(m.op) ? "replace" : m.op, group });
        } else if (isReplacement(m.op)) {
            byUrn.set(m.urn, {
                ...seen,
                new: seen.new ?? m.new,
                old: seen.old ?? m.old,
                keys: union(seen.keys, m.keys),
                diffs: union(seen.diffs, m.diffs),
                detailedDiff: seen.detailedDiff || m.detailedDiff ? { ...m.detailedDiff, ...seen.detailedDiff } : undefined,
            });
        }
    }
    return [...byUrn.values()];
}

const union = (a?: string[], b?: string[]) => (a || b ? [...new Set([...(a ?? []), ...(b ?? [])])] : undefined);

export function argValue(args: string[], flag: string): string | undefined {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
}

/**
 * The command line shared by the reports: `--stack <name>` (required), `--cwd <dir>`
 * (or NEURALLOG_PROJECT_DIR, else the current directory) for the Pulumi project. `run`
 * returns the exit code; any error is exit code 2 with its message on stderr.
 */
export async function runOnStack(command: string, args: string[], run: (stack: Stack) => Promise<number>): Promise<number> {
    const stackName = argValue(args, "--stack");
    if (!stackName) {
        process.stderr.write(`usage: npm run ${command} -- --stack <name> [--json] [--cwd <pulumi project dir>]\n`);
        return 2;
    }
    const workDir = argValue(args, "--cwd") ?? process.env.NEURALLOG_PROJECT_DIR ?? process.cwd();
    try {
        return await run(await LocalWorkspace.selectStack({ stackName, workDir }));
    } catch (e) {
        process.stderr.write(`${command}: ${(e as Error).message}\n`);
        return 2;
    }
}

/**
 * Runs a report's command line and leaves with its exit code once the work is done. Not
 * `process.exit`: it would cut off the Automation API's removal of its event log (one
 * file per preview, holding every step's states: 114 MB at 100 tenants, left in the
 * temporary directory every run) and any output still on its way down a pipe.
 */
export function runMain(cli: (args: string[]) => Promise<number>): void {
    void cli(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}

/** Pure: the group an object belongs to, from its type chain and namespace. */
function groupOf(m: Pick<StepEventMetadata, "urn" | "type" | "old" | "new">): string {
    const state = m.new ?? m.old;
    const metadata = (state?.outputs?.metadata ?? state?.inputs?.metadata ?? {}) as { name?: string; namespace?: string };
    const tenantNs = [metadata.namespace, m.type.endsWith(":Namespace") ? metadata.name : undefined].find((n) => n?.startsWith("tenant-"));
    if (tenantNs) return `tenant ${tenantNs.slice("tenant-".length)}`;
    if (m.type === "kubernetes:neurallog.io/v1:Tenant" && metadata.name) return `tenant ${metadata.name}`;
    if (m.urn.includes("neurallog:tenant:TenantSlice")) return UNKNOWN_TENANT;
    if (m.urn.includes("neurallog:datastores:")) return "data stores";
    if (m.urn.includes("neurallog:observability:")) return "observability";
    return "platform";
}

/** Pure: one object from a step of a (refreshing) preview. */
export function driftedObject(m: StepEventMetadata, mode: "drift" | "preview" = "drift"): DriftedObject {
    const state = m.new ?? m.old;
    const metadata = (state?.outputs?.metadata ?? state?.inputs?.metadata ?? {}) as { name?: string; namespace?: string };
    const kind = m.type.split(":").pop() ?? m.type;
    const fields =
        m.op === "create"
            ? [mode === "drift" ? "(deleted in the cluster)" : "(new)"]
            : m.op === "delete"
              ? [mode === "drift" ? "(no longer declared)" : "(removed)"]
              : [...new Set(Object.keys(m.detailedDiff ?? {}).length ? Object.keys(m.detailedDiff ?? {}) : m.diffs?.length ? m.diffs : (m.keys ?? []))].sort();
    return { object: `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ""}${metadata.name ?? m.urn.split("::").pop()}`, urn: m.urn, op: m.op, fields };
}

