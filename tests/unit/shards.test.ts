/**
 * Sharding (components/shards.ts): a tenant is listed by exactly one shard's stack file;
 * `moveTo` moves it, the target shard deploying the slice and the source keeping only the
 * namespace and data volume, under the slice's own names.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { resolveConfig } from "../../components/config";
import { SiblingShard, readSiblingShards, shardProblems } from "../../components/shards";
import { configProblems, Registered, Run, runProgram, stackConfig } from "./harness";

const FLEET = "fleet";
/** The test stack as shard `name` of FLEET, with the given tenants. */
function shard(name: string, tenants: Record<string, unknown>[]) {
    return { ...stackConfig("test"), shard: { fleet: FLEET, name }, tenants };
}
const [acme, globex] = stackConfig("test").tenants as Record<string, unknown>[];
const sibling = (stack: string, name: string, tenants: Record<string, unknown>[]): SiblingShard => ({ stack, shard: name, tenants });

/** Runs `config` as `stack` in a project directory that holds the given stack files. */
async function runInProject(files: Record<string, Record<string, unknown>>, stack: string): Promise<Run> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shards-"));
    for (const [s, config] of Object.entries(files)) {
        const doc = { config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`neurallog:${k}`, v])) };
        fs.writeFileSync(path.join(dir, `Pulumi.${s}.yaml`), YAML.stringify(doc));
    }
    const cwd = process.cwd();
    process.chdir(dir);
    try {
        return await runProgram(files[stack], stack);
    } finally {
        process.chdir(cwd);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
const slice = (run: Run, id: string) => run.resources.filter((r) => r.name.startsWith(`tenant-${id}-`) || r.name === `tenant-${id}`);
const key = (r: Registered) => `${r.type} ${r.name} ${r.opts?.parent ? "child" : "root"}`;

describe("shards", () => {
    it("reads the siblings of its fleet from the project's stack files, not its own or another fleet's", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shards-"));
        const write = (stack: string, config: Record<string, unknown>) => fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify({ config }));
        write("a", { "neurallog:shard": { fleet: FLEET, name: "a" }, "neurallog:tenants": [acme] });
        write("b", { "neurallog:shard": { fleet: FLEET, name: "b" }, "neurallog:tenants": [globex] });
        write("other", { "neurallog:shard": { fleet: "other", name: "x" } });
        write("plain", { "neurallog:environment": "test" });
        try {
            assert.deepStrictEqual(readSiblingShards(dir, "a", FLEET), [sibling("b", "b", [globex])]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a tenant listed by two shards, naming both", () => {
        const problems = shardProblems({ shard: { fleet: FLEET, name: "a" }, tenants: [acme, globex] }, [sibling("b", "b", [globex])]);
        assert.strictEqual(problems.length, 1);
        assert.strictEqual(problems[0].path, "neurallog:tenants[1].tenantId");
        assert.match(problems[0].message, /^"globex" is also listed by stack b \(shard b\); a tenant lives in exactly one shard's file/);
    });

    it("refuses a move to an unknown shard, to itself, or without a fleet, and a shard claimed twice", () => {
        const own = { shard: { fleet: FLEET, name: "a" }, tenants: [{ ...acme, moveTo: "c" }, { ...globex, moveTo: "a" }] };
        const problems = shardProblems(own, [sibling("b", "b", []), sibling("b2", "a", [])]).map((p) => `${p.path} ${p.message}`);
        assert.deepStrictEqual(problems, [
            'neurallog:shard.name "a" is also the shard of stack b2 (Pulumi.b2.yaml); each shard of fleet fleet is one stack',
            'neurallog:tenants[0].moveTo "c" is no shard of fleet fleet (known: b, a; a shard is a stack file of this project with neurallog:shard.fleet: fleet)',
            'neurallog:tenants[1].moveTo "a" is this stack\'s own shard',
        ]);
        assert.deepStrictEqual(configProblems({ ...stackConfig("test"), tenants: [{ ...acme, moveTo: "b" }] }), ["neurallog:tenants[0].moveTo needs neurallog:shard: a tenant moves between the shards of a fleet"]);
        assert.match(configProblems({ ...shard("a", [{ ...acme, moveTo: "b", decommission: true }]) }).join("\n"), /moveTo cannot be set on a decommissioned tenant/);
    });

    it("deploys the tenants a sibling moves here, and reports their problems where they are written", () => {
        const model = resolveConfig(shard("b", []), [sibling("a", "a", [acme, { ...globex, moveTo: "b" }])]);
        assert.deepStrictEqual(model.tenants.map((t) => [t.tenantId, t.movingFrom, t.movingTo]), [["globex", "a", undefined]]);
        const bad = () => resolveConfig(shard("b", []), [sibling("a", "a", [acme, { ...globex, planId: "platinum", moveTo: "b" }])]);
        assert.throws(bad, (e: any) => e.problems.some((p: any) => p.path === "Pulumi.a.yaml neurallog:tenants[1].planId"));
    });

    it("keeps only a moving tenant's namespace and data volume, under the slice's own names, unprotected and retained", async () => {
        const files = { a: { ...shard("a", [acme, globex]), protectTenantData: true }, b: shard("b", []) };
        const before = await runInProject(files, "a");
        assert.ifError(before.error);
        files.a.tenants = [acme, { ...globex, moveTo: "b" }];
        const after = await runInProject(files, "a");
        assert.ifError(after.error);

        const kept = slice(after, "globex");
        const whole = slice(before, "globex");
        // The same resources as before (type, name, parent), for exactly the namespace, the Redis component and its claims.
        for (const r of kept) assert.ok(whole.some((w) => key(w) === key(r)), `${key(r)} is new`);
        assert.deepStrictEqual(kept.map((r) => r.type).sort(), [
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:PersistentVolumeClaim",
            "neurallog:datastores:Redis",
            "neurallog:tenant:TenantSlice",
        ]);
        for (const r of kept.filter((r) => r.type.startsWith("kubernetes:"))) {
            const was = whole.find((w) => key(w) === key(r))!;
            assert.deepStrictEqual(r.inputs, was.inputs, `${r.name}'s inputs changed`);
            assert.strictEqual(was.opts?.protect, true);
            assert.strictEqual(r.opts?.protect, false);
            assert.strictEqual(r.opts?.retainOnDelete, true);
        }
        // The other tenant is untouched, and the stack's record marks the move.
        assert.deepStrictEqual(slice(after, "acme-corp").map(key).sort(), slice(before, "acme-corp").map(key).sort());
        const outputs = await after.outputs;
        assert.strictEqual(outputs.tenants.globex.movingTo, "b");
        assert.strictEqual(outputs.tenants.globex.decommission, true);

        // The target shard deploys the whole slice, from the source's entry.
        const target = await runInProject(files, "b");
        assert.ifError(target.error);
        assert.deepStrictEqual(slice(target, "globex").map(key).sort(), whole.map(key).sort());
    });
});
