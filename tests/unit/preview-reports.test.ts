/** The drift report and the pull-request summary, from engine events shaped as the engine sends them. */
import * as assert from "assert";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { formatMarkdown, reportFromEvents } from "../../scripts/drift";
import { outsideTheSlice, sliceUrn } from "../../scripts/onboard";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { changedObjects } from "../../scripts/preview-events";
import { COMMENT_LIMIT, movesOf, summarize } from "../../scripts/summary";

const URN = "urn:pulumi:test::neurallog::pulumi:pulumi:Stack$";
const step = (op: string, chain: string, type: string, metadata: Record<string, string>, detailedDiff?: Record<string, unknown>): EngineEvent =>
    ({
        sequence: 0,
        timestamp: 0,
        resourcePreEvent: {
            metadata: {
                op,
                urn: `${URN}${chain}$${type}::${metadata.namespace ? `${metadata.namespace}-` : ""}${metadata.name}-logical`,
                type,
                provider: "",
                old: { type, urn: "", id: "", parent: "", provider: "", inputs: { metadata }, outputs: { metadata } },
                ...(op === "create" ? { old: undefined, new: { type, urn: "", id: "", parent: "", provider: "", inputs: { metadata }, outputs: {} } } : {}),
                detailedDiff,
            },
        },
    }) as unknown as EngineEvent;

describe("drift report", () => {
    const events = [
        step("update", "neurallog:tenant:TenantSlice", "kubernetes:rbac.authorization.k8s.io/v1:Role", { name: "tenant-role", namespace: "tenant-acme-corp" }, { rules: { kind: "update" } }),
        step("create", "neurallog:tenant:TenantSlice", "kubernetes:neurallog.io/v1:Tenant", { name: "globex" }),
        step("update", "neurallog:tenant:TenantSlice", "kubernetes:core/v1:Namespace", { name: "tenant-acme-corp" }, { "metadata.labels": { kind: "update" } }),
        step("update", "neurallog:platform:Platform$neurallog:datastores:DataStores$neurallog:datastores:Redis", "kubernetes:apps/v1:StatefulSet", { name: "redis", namespace: "neurallog" }, { "spec.replicas": { kind: "update" } }),
        step("update", "neurallog:platform:Platform", "kubernetes:apps/v1:Deployment", { name: "neurallog-server", namespace: "neurallog" }, { "spec.template.spec.containers[0].image": { kind: "update" }, "spec.replicas": { kind: "update" } }),
        step("same", "neurallog:platform:Platform", "kubernetes:core/v1:ConfigMap", { name: "neurallog-config", namespace: "neurallog" }),
        step("update", "", "pulumi:pulumi:StackReference", { name: "self" }),
    ];

    it("groups drifted objects by tenant and platform layer, with the fields that differ", () => {
        const r = reportFromEvents("test", events);
        assert.strictEqual(r.drifted, 5);
        assert.deepStrictEqual(Object.keys(r.groups).sort(), ["data stores", "platform", "tenant acme-corp", "tenant globex"]);
        assert.deepStrictEqual(
            r.groups["tenant acme-corp"].map((o) => [o.object, o.op, o.fields]),
            [
                ["Namespace tenant-acme-corp", "update", ["metadata.labels"]],
                ["Role tenant-acme-corp/tenant-role", "update", ["rules"]],
            ],
        );
        assert.deepStrictEqual(r.groups["tenant globex"][0].fields, ["(deleted in the cluster)"]);
        assert.deepStrictEqual(r.groups.platform[0].fields, ["spec.replicas", "spec.template.spec.containers[0].image"]);
        assert.strictEqual(r.groups["data stores"][0].object, "StatefulSet neurallog/redis");
    });

    it("prints platform layers before tenants and says when nothing drifted", () => {
        const md = formatMarkdown(reportFromEvents("test", events));
        assert.match(md, /\*\*5 objects drifted\*\* in 4 groups/);
        const order = [...md.matchAll(/^### (.+) \(\d+\)$/gm)].map((m) => m[1]);
        assert.deepStrictEqual(order, ["data stores", "platform", "tenant acme-corp", "tenant globex"]);
        assert.match(md, /- `Role tenant-acme-corp\/tenant-role` — update: `rules`/);
        assert.match(formatMarkdown(reportFromEvents("test", events.slice(5))), /No drift: the cluster matches Pulumi state\./);
    });
});

describe("pull-request change summary", () => {
    const TENANT_KINDS = ["core/v1:Namespace", "core/v1:ResourceQuota", "core/v1:LimitRange", "rbac.authorization.k8s.io/v1:Role", "apps/v1:Deployment", "apps/v1:StatefulSet", "core/v1:PersistentVolumeClaim", "core/v1:Service"];
    const onboard = (id: string) =>
        TENANT_KINDS.map((k) => step("create", "neurallog:tenant:TenantSlice", `kubernetes:${k}`, k.endsWith(":Namespace") ? { name: `tenant-${id}` } : { name: k.split(":").pop()!.toLowerCase(), namespace: `tenant-${id}` }));

    it("puts a loud line first for data at risk and for access or limits changes", () => {
        const md = summarize("production", [
            ...onboard("new-co"),
            step("delete", "neurallog:tenant:TenantSlice", "kubernetes:core/v1:PersistentVolumeClaim", { name: "data-redis-0", namespace: "tenant-acme-corp" }),
            step("replace", "neurallog:platform:Platform$neurallog:datastores:DataStores$neurallog:datastores:Postgres", "kubernetes:core/v1:Service", { name: "postgres", namespace: "neurallog-prod" }),
            step("update", "neurallog:tenant:TenantSlice", "kubernetes:core/v1:ResourceQuota", { name: "tenant-quota", namespace: "tenant-acme-corp" }, { "spec.hard": { kind: "update" } }),
        ]);
        const lines = md.split("\n");
        assert.strictEqual(lines[0], "## Preview: stack `production`");
        const warnings = lines.filter((l) => l.startsWith("> ⚠️"));
        assert.ok(warnings.includes("> ⚠️ **data at risk**: delete `PersistentVolumeClaim tenant-acme-corp/data-redis-0`"), warnings.join("\n"));
        assert.ok(warnings.includes("> ⚠️ **data at risk**: replace `Service neurallog-prod/postgres`"), warnings.join("\n"));
        assert.ok(warnings.includes("> ⚠️ **access or limits change**: update `ResourceQuota tenant-acme-corp/tenant-quota`"), warnings.join("\n"));
        // Creates of a new tenant's quota, limits and role are access changes too, but never data at risk.
        assert.ok(!warnings.some((l) => l.includes("data at risk") && l.includes("new-co")));
        assert.strictEqual(lines.findIndex((l) => l.startsWith("> ⚠️")), 2, "the warnings come first");
        assert.match(md, /\| \*\*total\*\* \| 8 \| 1 \| 1 \| 1 \|/);
        assert.match(md, /<details><summary>tenant acme-corp \(2\)<\/summary>[\s\S]*- update `ResourceQuota tenant-acme-corp\/tenant-quota`: `spec\.hard`/);
    });

    it("stays under a comment's 65,536 characters for a change that touches 1,000 tenants, totals first", () => {
        const ids = Array.from({ length: 1000 }, (_, i) => `tenant${String(i).padStart(4, "0")}`);
        const events = ids.flatMap(onboard);
        const md = summarize("production", events);
        assert.ok(md.length < COMMENT_LIMIT, `${md.length} characters`);
        assert.match(md, /\*\*8000 changes\*\* across 0 platform layers and 1000 tenants\./);
        assert.match(md, /\| \*\*total\*\* \| 8000 \| 0 \| 0 \| 0 \|/);
        // Tenants with the same changes share one row.
        assert.match(md, /\| tenants \(1000\) tenant0000, tenant0001, tenant0002 and 997 more \| 8 \| 0 \| 0 \| 0 \|/);
        assert.match(md, /Details cut here to fit a comment/);
        assert.ok(md.indexOf("| **total**") < md.indexOf("<details>"));
    });

    it("says when there is nothing to change", () => {
        assert.strictEqual(summarize("test", []), "## Preview: stack `test`\n\nNo changes.\n");
    });

    it("counts a step the event stream delivered twice once, and a replacement's three steps as one replace", () => {
        const quota = step("update", "neurallog:tenant:TenantSlice", "kubernetes:core/v1:ResourceQuota", { name: "tenant-quota", namespace: "tenant-acme-corp" }, { "spec.hard": { kind: "update" } });
        const pvc = { name: "data-redis-0", namespace: "tenant-acme-corp" };
        const replaced = ["create-replacement", "replace", "delete-replaced"].map((op) => step(op, "neurallog:tenant:TenantSlice", "kubernetes:core/v1:PersistentVolumeClaim", pvc));
        const once = summarize("test", [quota, ...replaced]);
        assert.strictEqual(summarize("test", [quota, quota, ...replaced, replaced[1]]), once);
        assert.deepStrictEqual(
            changedObjects([quota, quota, ...replaced, replaced[1]]).map((m) => m.op),
            ["update", "replace"],
        );
        assert.match(once, /\*\*2 changes\*\*/);
        assert.match(once, /\| tenant acme-corp \| 0 \| 1 \| 1 \| 0 \|/);
        assert.strictEqual(once.match(/data at risk/g)?.length, 1, once);
        assert.strictEqual(reportFromEvents("test", [quota, quota]).drifted, 1);
        assert.strictEqual(reportFromEvents("test", replaced).drifted, 1);
    });

    it("puts a rotated credential, which has no namespace, in its tenant's group with the fields its steps name", () => {
        // As the engine sends a rotation: the credential's steps name only the replace key;
        // it shares a parent (the tenant's Redis) with the Secret, which has a namespace.
        const redis = `${URN}neurallog:tenant:TenantSlice$neurallog:datastores:Redis::tenant-globex-redis`;
        const credentialType = "pulumi-nodejs:dynamic/neurallog:GeneratedCredential";
        const withParent = (e: EngineEvent, keys: string[] = []) => {
            const m = e.resourcePreEvent!.metadata;
            return { ...e, resourcePreEvent: { metadata: { ...m, keys, old: { ...m.old!, parent: redis }, new: m.op === "delete-replaced" ? undefined : { ...m.old!, parent: redis } } } } as EngineEvent;
        };
        const credential = ["create-replacement", "replace", "delete-replaced"].map((op) =>
            withParent(step(op, "neurallog:tenant:TenantSlice$neurallog:datastores:Redis", credentialType, { name: "tenant-globex-redis-password" }), op === "delete-replaced" ? [] : ["rotation"]),
        );
        const secret = ["delete-replaced", "replace", "create-replacement"].map((op) =>
            withParent(step(op, "neurallog:tenant:TenantSlice$neurallog:datastores:Redis", "kubernetes:core/v1:Secret", { name: "redis-auth", namespace: "tenant-globex" }, op === "delete-replaced" ? undefined : { data: {}, stringData: {} })),
        );
        const md = summarize("test", [...credential, ...secret]);
        assert.match(md, /\*\*2 changes\*\* across 0 platform layers and 1 tenant\./, md);
        assert.match(md, /\| tenant globex \| 0 \| 0 \| 2 \| 0 \|/, md);
        assert.ok(!md.includes("(unknown)"), md);
        assert.ok(md.includes("- replace `GeneratedCredential tenant-globex-redis-password`: `rotation`"), md);
        assert.ok(md.includes("- replace `Secret tenant-globex/redis-auth`: `data`, `stringData`"), md);
        const warnings = md.split("\n").filter((l) => l.startsWith("> ⚠️"));
        assert.deepStrictEqual(warnings, [
            "> ⚠️ **credential replaced**: replace `GeneratedCredential tenant-globex-redis-password`",
            "> ⚠️ **credential replaced**: replace `Secret tenant-globex/redis-auth`",
        ]);
        // Without a sibling in a tenant namespace, the tenant cannot be told.
        assert.match(summarize("test", credential), /tenant \(unknown\)/);
    });

    it("names a move between shards first, in both stacks, read from the stack files", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moves-"));
        const write = (stack: string, name: string, tenants: object[]) =>
            fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify({ config: { "neurallog:shard": { fleet: "f", name }, "neurallog:tenants": tenants } }));
        write("shard-a", "a", [{ tenantId: "acme" }, { tenantId: "globex", moveTo: "b" }]);
        write("shard-b", "b", [{ tenantId: "initech" }]);
        try {
            const out = movesOf(dir, "shard-a");
            const into = movesOf(dir, "shard-b");
            assert.deepStrictEqual(out, { out: [{ tenantId: "globex", to: "b" }], in: [] });
            assert.deepStrictEqual(into, { out: [], in: [{ tenantId: "globex", from: "shard-a" }] });
            const lines = (md: string) => md.split("\n");
            assert.match(lines(summarize("shard-a", [], COMMENT_LIMIT, out))[2], /^> ↪ \*\*tenant `globex` moves to shard b\*\*: .*namespace and data volume stay in this cluster$/);
            assert.match(lines(summarize("shard-b", [], COMMENT_LIMIT, into))[2], /^> ↩ \*\*tenant `globex` moves in from stack shard-a\*\*/);
            assert.deepStrictEqual(movesOf(dir, "no-such-stack"), { out: [], in: [] });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("targeted onboarding", () => {
    const step = (urn: string, op: string, metadata: object) =>
        ({ sequence: 0, timestamp: 0, resourcePreEvent: { metadata: { urn, op, type: urn.split("::")[2].split("$").pop(), provider: "", new: { inputs: { metadata } } } } }) as any;
    const slice = "urn:pulumi:test::neurallog::neurallog:tenant:TenantSlice";

    it("finds what a targeted preview would change outside the tenant's slice", () => {
        const events = [
            step(`${slice}::tenant-solo`, "create", {}),
            step(`${slice}::tenant-solo-eu`, "create", {}),
            step(`${slice}$kubernetes:core/v1:Namespace::tenant-solo-namespace`, "create", { name: "tenant-solo" }),
            step(`${slice}$kubernetes:networking.k8s.io/v1:NetworkPolicy::tenant-solo-neurallog-server-from-tenant-solo`, "create", { name: "neurallog-server-from-tenant-solo", namespace: "neurallog" }),
            step(`${slice}$kubernetes:core/v1:ConfigMap::tenant-other-config`, "update", { name: "config", namespace: "tenant-other" }),
            step("urn:pulumi:test::neurallog::neurallog:platform:Platform$kubernetes:core/v1:ConfigMap::neurallog-config", "update", { name: "neurallog-config", namespace: "neurallog" }),
            step(`${slice}$kubernetes:core/v1:Secret::tenant-solo-redis-secret`, "same", { name: "redis-auth", namespace: "tenant-solo" }),
        ];
        assert.deepStrictEqual(outsideTheSlice(events, "solo"), [
            `create ${slice}::tenant-solo-eu`,
            `update ${slice}$kubernetes:core/v1:ConfigMap::tenant-other-config`,
            "update urn:pulumi:test::neurallog::neurallog:platform:Platform$kubernetes:core/v1:ConfigMap::neurallog-config",
        ]);
    });

    it("targets the tenant's slice component", () => {
        assert.strictEqual(sliceUrn("production", "neurallog", "acme-corp"), "urn:pulumi:production::neurallog::neurallog:tenant:TenantSlice::tenant-acme-corp");
    });
});
