/**
 * Per-tenant change summary of a preview, for a pull request comment.
 *
 *   npm run summary -- --stack <name> [--cwd <pulumi project dir>]
 *
 * Runs `pulumi preview --diff` and prints Markdown: first a loud line for every change
 * that can lose data or widen access (replace or delete of a Namespace, claim,
 * StatefulSet or data store; any change to RBAC, quota, limits or network policies) or
 * lock out a credential's holders (a replaced Secret or generated credential), then the
 * totals by platform layer and tenant (a replacement counts once), then the details,
 * collapsed. Tenants with the same changes share one row, and the whole comment stays
 * under GitHub's 65,536 characters however many tenants a change touches.
 */
import * as fs from "fs";
import * as path from "path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { movingIn, readSiblingShards } from "../components/shards";
import { changedObjects, DriftedObject, driftedObject, runMain, runOnStack } from "./preview-events";

/** GitHub's limit for a comment body. */
export const COMMENT_LIMIT = 65536;
const OPS = ["create", "update", "replace", "delete"] as const;

const DATA_KINDS = /:(Namespace|PersistentVolumeClaim|StatefulSet)$/;
const CREDENTIAL_KINDS = /:(Secret|GeneratedCredential)$/;
const ACCESS_KINDS = /:(Role|RoleBinding|ClusterRole|ClusterRoleBinding|ResourceQuota|LimitRange|NetworkPolicy)$/;

interface Change extends DriftedObject {
    group: string;
    type: string;
}

/** Pure: why a change deserves a warning line, if it does. */
export function warningOf(c: Pick<Change, "op" | "type" | "urn">): string | undefined {
    // A rotation: the value is new, nothing stored is lost, but whoever holds the old one is locked out.
    if (c.op === "replace" && CREDENTIAL_KINDS.test(c.type)) return "credential replaced";
    const destructive = c.op === "replace" || c.op === "delete";
    if (destructive && (DATA_KINDS.test(c.type) || c.urn.includes("neurallog:datastores:"))) return "data at risk";
    if (ACCESS_KINDS.test(c.type)) return "access or limits change";
    return undefined;
}

/** Tenants moving between shards (components/shards.ts), as the stack files say. */
export interface Moves {
    out: { tenantId: string; to: string }[];
    in: { tenantId: string; from: string }[];
}
export const NO_MOVES: Moves = { out: [], in: [] };

/** I/O: the moves that concern `stack`, from its stack file and its siblings' in `workDir`. */
export function movesOf(workDir: string, stack: string): Moves {
    const file = path.join(workDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return NO_MOVES;
    const config = YAML.parse(fs.readFileSync(file, "utf8"))?.config ?? {};
    const shard = config["neurallog:shard"];
    const tenants: any[] = Array.isArray(config["neurallog:tenants"]) ? config["neurallog:tenants"] : [];
    const out = tenants.filter((t) => typeof t?.moveTo === "string").map((t) => ({ tenantId: String(t.tenantId), to: t.moveTo as string }));
    const siblings = shard?.fleet ? readSiblingShards(workDir, stack, shard.fleet) : [];
    return { out, in: movingIn(shard?.name, siblings).map((a) => ({ tenantId: String(a.entry.tenantId), from: a.stack })) };
}

/** Pure: the Markdown summary of a preview's step events. */
export function summarize(stack: string, events: EngineEvent[], limit = COMMENT_LIMIT, moves: Moves = NO_MOVES): string {
    const changes: Change[] = [];
    for (const m of changedObjects(events)) changes.push({ ...driftedObject(m, "preview"), group: m.group, type: m.type });
    // A move shows as deletes here and creates there: say so first, in both stacks' comments.
    const moveLines = [
        ...moves.out.map((m) => `> ↪ **tenant \`${m.tenantId}\` moves to shard ${m.to}**: its slice leaves this stack; its namespace and data volume stay in this cluster`),
        ...moves.in.map((m) => `> ↩ **tenant \`${m.tenantId}\` moves in from stack ${m.from}**: its slice is created here`),
    ];
    const head = [`## Preview: stack \`${stack}\``, "", ...moveLines, ...(moveLines.length ? [""] : [])];
    if (changes.length === 0) return [...head, "No changes."].join("\n") + "\n";

    // Loud lines first, capped so they never crowd out the totals.
    const warnings = changes.filter((c) => warningOf(c)).map((c) => `> ⚠️ **${warningOf(c)}**: ${c.op} \`${c.object}\``);
    const shownWarnings = warnings.slice(0, 50);
    if (warnings.length > shownWarnings.length) shownWarnings.push(`> ⚠️ … and ${warnings.length - shownWarnings.length} more such changes (see the details)`);

    const count = (cs: Change[]) => OPS.map((op) => cs.filter((c) => c.op === op).length);
    const total = count(changes);
    const byGroup = new Map<string, Change[]>();
    for (const c of changes) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
    const layers = [...byGroup.keys()].filter((g) => !g.startsWith("tenant ")).sort();
    const tenants = [...byGroup.keys()].filter((g) => g.startsWith("tenant ")).sort();
    // Tenants whose changes have the same shape share a row.
    const signature = (cs: Change[]) => cs.map((c) => `${c.op} ${c.object.split(" ")[0]} ${c.fields.join(",")}`).sort().join("|");
    const rows = new Map<string, string[]>();
    for (const t of tenants) rows.set(signature(byGroup.get(t)!), [...(rows.get(signature(byGroup.get(t)!)) ?? []), t.slice("tenant ".length)]);
    const row = (label: string, n: number[]) => `| ${label} | ${n.join(" | ")} |`;
    const names = (ids: string[]) => (ids.length <= 5 ? ids.join(", ") : `${ids.slice(0, 3).join(", ")} and ${ids.length - 3} more`);
    const table = [
        `| | ${OPS.join(" | ")} |`,
        `| --- | ${OPS.map(() => "---").join(" | ")} |`,
        row("**total**", total),
        ...layers.map((g) => row(g, count(byGroup.get(g)!))),
        ...[...rows.values()].map((ids) => row(`tenant${ids.length > 1 ? `s (${ids.length})` : ""} ${names(ids)}`, count(byGroup.get(`tenant ${ids[0]}`)!))),
    ];
    const summaryLine = `**${changes.length} change${changes.length === 1 ? "" : "s"}** across ${layers.length} platform layer${layers.length === 1 ? "" : "s"} and ${tenants.length} tenant${tenants.length === 1 ? "" : "s"}.`;

    const out = [...head, ...shownWarnings, ...(shownWarnings.length ? [""] : []), summaryLine, "", ...table, ""];
    let length = out.join("\n").length;
    const closing = "\n_Details cut here to fit a comment; run `pulumi preview --diff` for the rest._\n";
    for (const g of [...layers, ...tenants]) {
        const block = ["<details><summary>" + g + ` (${byGroup.get(g)!.length})</summary>`, "", ...byGroup.get(g)!.map((c) => `- ${c.op} \`${c.object}\`: ${c.fields.map((f) => `\`${f}\``).join(", ")}`), "", "</details>", ""].join("\n");
        if (length + block.length + closing.length + 1 > limit) {
            out.push(closing);
            return out.join("\n");
        }
        out.push(block);
        length += block.length + 1;
    }
    return out.join("\n");
}

async function cli(args: string[]): Promise<number> {
    return runOnStack("summary", args, async (stack) => {
        const events: EngineEvent[] = [];
        await stack.preview({ diff: true, color: "never", onEvent: (e) => events.push(e) });
        process.stdout.write(summarize(stack.name, events, COMMENT_LIMIT, movesOf(stack.workspace.workDir, stack.name)));
        return 0;
    });
}

if (require.main === module) {
    runMain(cli);
}
