/**
 * Sharding a fleet across stacks (the NeuralLog guide's two-cluster layout): each shard is
 * one stack, on its own cluster, whose stack file sets `neurallog:shard: {fleet, name}`
 * and lists that shard's tenants. The project's other stack files naming the same fleet
 * are its siblings, read from the project directory, so a stack can check that a tenant
 * is listed by exactly one shard and deploy the tenants a sibling is moving to it.
 *
 * A move is one config edit, `moveTo: <shard>` on the tenant's entry: the target shard's
 * preview creates the slice; the source's deletes it but its namespace and data volume,
 * which stay in its cluster (unprotected, retained). Moving the entry into the target's
 * file afterwards changes nothing in the target and lets the source forget them.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { ConfigProblem } from "./config";

const PROJECT = "neurallog";

/** A sibling shard: another stack file of the project in the same fleet. */
export interface SiblingShard {
    stack: string;
    shard: string;
    /** Its tenant entries as written (validated by that stack's own run). */
    tenants: Record<string, unknown>[];
}

export interface OwnShard {
    shard?: { fleet: string; name: string };
    tenants: { tenantId?: unknown; moveTo?: unknown }[];
}

/** I/O: the sibling shards of `fleet` among the stack files in `projectDir`, other than `ownStack`'s. */
export function readSiblingShards(projectDir: string, ownStack: string, fleet: string): SiblingShard[] {
    const siblings: SiblingShard[] = [];
    for (const file of fs.readdirSync(projectDir).sort()) {
        const m = /^Pulumi\.(.+)\.yaml$/.exec(file);
        if (!m || m[1] === ownStack) continue;
        let config: Record<string, any>;
        try {
            config = YAML.parse(fs.readFileSync(path.join(projectDir, file), "utf8"))?.config ?? {};
        } catch (e) {
            // A broken sibling file would hide a tenant listed twice: refuse rather than guess.
            throw new Error(`${file}: cannot read this shard's sibling stack file: ${(e as Error).message}`);
        }
        const shard = config[`${PROJECT}:shard`];
        if (shard?.fleet !== fleet || typeof shard?.name !== "string") continue;
        const tenants = config[`${PROJECT}:tenants`];
        siblings.push({ stack: m[1], shard: shard.name, tenants: Array.isArray(tenants) ? tenants : [] });
    }
    return siblings;
}

/** Pure: what is wrong with this stack's place in its fleet. */
export function shardProblems(own: OwnShard, siblings: SiblingShard[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const at = (i: number, key: string) => `${PROJECT}:tenants[${i}].${key}`;
    if (!own.shard) {
        own.tenants.forEach((t, i) => {
            if (t.moveTo !== undefined) {
                problems.push({ path: at(i, "moveTo"), message: `needs ${PROJECT}:shard: a tenant moves between the shards of a fleet` });
            }
        });
        return problems;
    }
    const { fleet, name } = own.shard;
    const shards = new Map(siblings.map((s) => [s.shard, s.stack]));
    for (const s of siblings.filter((x) => x.shard === name)) {
        problems.push({ path: `${PROJECT}:shard.name`, message: `"${name}" is also the shard of stack ${s.stack} (Pulumi.${s.stack}.yaml); each shard of fleet ${fleet} is one stack` });
    }
    own.tenants.forEach((t, i) => {
        if (typeof t.moveTo === "string") {
            if (t.moveTo === name) {
                problems.push({ path: at(i, "moveTo"), message: `"${t.moveTo}" is this stack's own shard` });
            } else if (!shards.has(t.moveTo)) {
                const known = [...shards.keys()].join(", ") || "none";
                problems.push({
                    path: at(i, "moveTo"),
                    message: `"${t.moveTo}" is no shard of fleet ${fleet} (known: ${known}; a shard is a stack file of this project with ${PROJECT}:shard.fleet: ${fleet})`,
                });
            }
        }
        for (const s of siblings) {
            if (s.tenants.some((x) => x?.tenantId === t.tenantId)) {
                problems.push({
                    path: at(i, "tenantId"),
                    message:
                        `"${t.tenantId}" is also listed by stack ${s.stack} (shard ${s.shard}); a tenant lives in exactly one shard's file. ` +
                        `To move it, keep one entry and set moveTo on it (README: Sharding a fleet)`,
                });
            }
        }
    });
    return problems;
}

/** Pure: the entries siblings are moving to this shard, with where each is written. */
export function movingIn(ownShard: string | undefined, siblings: SiblingShard[]): { stack: string; index: number; entry: Record<string, unknown> }[] {
    if (!ownShard) return [];
    return siblings.flatMap((s) =>
        s.tenants.flatMap((entry, index) => (entry?.moveTo === ownShard ? [{ stack: s.stack, index, entry }] : [])),
    );
}
