/**
 * Drift report: which objects of a deployed stack differ from Pulumi state, grouped by
 * tenant and platform layer, with the fields that differ.
 *
 *   npm run drift -- --stack <name> [--json] [--cwd <pulumi project dir>]
 *
 * Runs a refreshing preview (`pulumi preview --refresh --diff`): the refresh reads every
 * object back from the cluster, the preview then lists what `pulumi up --refresh` would
 * change to restore it. Exit code 0 when clean, 1 when something drifted, 2 on error.
 * The program's own guards (components/drift.ts) turn entries appended to RBAC and
 * NetworkPolicy lists into an update, so those show here too.
 */
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { changedObjects, driftedObject, DriftedObject, runMain, runOnStack } from "./preview-events";

export interface DriftReport {
    stack: string;
    drifted: number;
    /** `tenant <id>`, `platform`, `data stores`, `observability`. */
    groups: Record<string, DriftedObject[]>;
}

/** Pure: the report from the engine events of a refreshing preview. */
export function reportFromEvents(stack: string, events: EngineEvent[]): DriftReport {
    const groups: Record<string, DriftedObject[]> = {};
    let drifted = 0;
    for (const m of changedObjects(events)) {
        (groups[m.group] ??= []).push(driftedObject(m));
        drifted++;
    }
    for (const g of Object.values(groups)) g.sort((a, b) => a.object.localeCompare(b.object));
    return { stack, drifted, groups };
}

/** Pure: the Markdown a person (or a CI job) reads. */
export function formatMarkdown(r: DriftReport): string {
    if (r.drifted === 0) return `## Drift: stack \`${r.stack}\`\n\nNo drift: the cluster matches Pulumi state.\n`;
    const order = Object.keys(r.groups).sort((a, b) => (a.startsWith("tenant") === b.startsWith("tenant") ? a.localeCompare(b) : a.startsWith("tenant") ? 1 : -1));
    const lines = [`## Drift: stack \`${r.stack}\``, "", `**${r.drifted} object${r.drifted === 1 ? "" : "s"} drifted** in ${order.length} group${order.length === 1 ? "" : "s"}; \`pulumi up --refresh\` restores them.`, ""];
    for (const g of order) {
        lines.push(`### ${g} (${r.groups[g].length})`, "");
        for (const o of r.groups[g]) lines.push(`- \`${o.object}\` — ${o.op}: ${o.fields.map((f) => `\`${f}\``).join(", ")}`);
        lines.push("");
    }
    return lines.join("\n");
}

/** Runs the refreshing preview on a stack and builds the report. */
export async function driftReport(stack: Stack): Promise<DriftReport> {
    const events: EngineEvent[] = [];
    await stack.preview({ refresh: true, diff: true, color: "never", onEvent: (e) => events.push(e) });
    return reportFromEvents(stack.name, events);
}

async function cli(args: string[]): Promise<number> {
    return runOnStack("drift", args, async (stack) => {
        const report = await driftReport(stack);
        process.stdout.write(args.includes("--json") ? JSON.stringify(report, null, 2) + "\n" : formatMarkdown(report));
        return report.drifted === 0 ? 0 : 1;
    });
}

if (require.main === module) {
    runMain(cli);
}
