/**
 * Promise: Pulumi state is the record of what the cluster holds. Changes made behind
 * Pulumi's back — by `kubectl patch`, `label`, `scale`, `apply` and `delete`, on RBAC,
 * quota and limits, namespace labels, workloads and data stores, config and Tenant objects — are reported
 * by a refreshing preview without an error, and undone by `up --refresh`, after which a
 * refreshing preview shows no changes.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { env } from "./hooks";
import { changes, Cluster, Env, kubectl, kubectlJson, npmScript } from "./support";

interface Drift {
    /** Logical name of the Pulumi resource that must show a change. */
    resource: string;
    /** The value a user relies on; read before the drift and again after `up --refresh`. */
    probe: (c: Cluster, sys: string) => Promise<unknown>;
    /** What a user did behind Pulumi's back. */
    make: (c: Cluster, sys: string) => Promise<unknown>;
}

const globex = "tenant-globex";
const acme = "tenant-acme-corp";
const jsonPatch = (ops: object[]) => JSON.stringify(ops);
const intruder = { kind: "User", name: "intruder", apiGroup: "rbac.authorization.k8s.io" };
const secretsRule = { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] };
const get = (c: Cluster, ...args: string[]) => kubectlJson(c, "get", ...args);

const drifts: Drift[] = [
    {
        resource: "tenant-globex-server-deployment",
        probe: async (c) => (await get(c, "deployment/neurallog-server", "-n", globex)).spec.replicas,
        make: (c) => kubectl(c, "scale", "deployment/neurallog-server", "-n", globex, "--replicas=3"),
    },
    {
        // What the restore procedure does on purpose (README, Backups): up --refresh scales it back.
        resource: "tenant-globex-redis-statefulset",
        probe: async (c) => (await get(c, "statefulset/redis", "-n", globex)).spec.replicas,
        make: (c) => kubectl(c, "scale", "statefulset/redis", "-n", globex, "--replicas=0"),
    },
    {
        resource: "neurallog-config",
        probe: async (c, sys) => (await get(c, "configmap/neurallog-config", "-n", sys)).data,
        make: (c, sys) => kubectl(c, "patch", "configmap/neurallog-config", "-n", sys, "--type=merge", "-p", '{"data":{"LOG_LEVEL":"trace"}}'),
    },
    {
        resource: "tenant-globex-netpol-tenant-isolation",
        probe: async (c) => (await get(c, "networkpolicy/tenant-isolation", "-n", globex)).spec,
        make: (c) => kubectl(c, "delete", "networkpolicy/tenant-isolation", "-n", globex),
    },
    {
        resource: "tenant-globex-quota",
        probe: async (c) => (await get(c, "resourcequota/tenant-quota", "-n", globex)).spec.hard,
        make: (c) => kubectl(c, "patch", "resourcequota/tenant-quota", "-n", globex, "--type=merge", "-p", '{"spec":{"hard":{"pods":"999"}}}'),
    },
    {
        // A subject appended to an atomic list: invisible to the provider's own refresh.
        resource: "tenant-globex-rolebinding",
        probe: async (c) => (await get(c, "rolebinding/tenant-role-binding", "-n", globex)).subjects,
        make: (c) => kubectl(c, "patch", "rolebinding/tenant-role-binding", "-n", globex, "--type=json", "-p", jsonPatch([{ op: "add", path: "/subjects/-", value: intruder }])),
    },
    {
        resource: "tenant-acme-corp-role",
        probe: async (c) => (await get(c, "role/tenant-role", "-n", acme)).rules,
        make: (c) => kubectl(c, "patch", "role/tenant-role", "-n", acme, "--type=json", "-p", jsonPatch([{ op: "add", path: "/rules/-", value: secretsRule }])),
    },
    {
        // Another field manager widens a cluster-wide role with server-side apply.
        resource: "neurallog-tenant-viewer",
        probe: async (c) => (await get(c, "clusterrole/neurallog-tenant-viewer")).rules,
        make: async (c) => {
            const role = await get(c, "clusterrole/neurallog-tenant-viewer");
            const file = path.join(c.stateDir, "drift-clusterrole.json");
            fs.writeFileSync(file, JSON.stringify({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRole",
                metadata: { name: "neurallog-tenant-viewer" },
                rules: [...role.rules, secretsRule],
            }));
            return kubectl(c, "apply", "--server-side", "--force-conflicts", "--field-manager=intruder", "-f", file);
        },
    },
    {
        resource: "tenant-acme-corp-namespace",
        probe: async (c) => (await get(c, "namespace", acme)).metadata.labels,
        make: (c) => kubectl(c, "label", "namespace", acme, "pod-security.kubernetes.io/enforce-"),
    },
    {
        resource: "tenant-acme-corp-limits",
        probe: async (c) => (await get(c, "limitrange/tenant-container-limits", "-n", acme)).spec,
        make: (c) => kubectl(c, "patch", "limitrange/tenant-container-limits", "-n", acme, "--type=json", "-p", jsonPatch([{ op: "replace", path: "/spec/limits/0/max/cpu", value: "64" }])),
    },
    {
        resource: "tenant-acme-corp-tenant",
        probe: async (c) => (await get(c, "tenant/acme-corp")).spec,
        make: (c) => kubectl(c, "patch", "tenant/acme-corp", "--type=merge", "-p", '{"spec":{"planId":"enterprise"}}'),
    },
    {
        resource: "tenant-globex-tenant",
        probe: async (c) => (await get(c, "tenant/globex")).spec,
        make: (c) => kubectl(c, "delete", "tenant/globex"),
    },
];

describe("drift tracking", () => {
    const before = new Map<string, unknown>();

    it("reports exactly the drifted resources in a refreshing preview, without an error", async () => {
        const e = env("test");
        const sys = e.readConfig().config["neurallog:namespace"];
        await e.preview({ refresh: true, expectNoChanges: true });
        for (const d of drifts) before.set(d.resource, await d.probe(e.cluster, sys));
        for (const d of drifts) await d.make(e.cluster, sys);
        // Each drift really changed what a user relies on (or removed the object).
        for (const d of drifts) {
            const now = await d.probe(e.cluster, sys).catch((err) => `gone: ${err.message.split("\n")[0]}`);
            assert.notDeepStrictEqual(now, before.get(d.resource), `${d.resource} did not drift`);
        }

        const planned = changes(await e.preview({ refresh: true }));
        const names = [...new Set(planned.map(([urn]) => urn.split("::").pop()!))].sort();
        assert.deepStrictEqual(names, drifts.map((d) => d.resource).sort(), `planned: ${JSON.stringify(planned)}`);
    });

    it("`npm run drift` reports them by tenant and layer with the fields that differ, and exits 1", async () => {
        const e = env("test");
        const { code, stdout } = await driftCli(e, "--json");
        assert.strictEqual(code, 1, stdout);
        const report = JSON.parse(stdout);
        const objects = Object.values(report.groups).flat() as any[];
        assert.strictEqual(report.drifted, objects.length);
        assert.deepStrictEqual([...new Set(objects.map((o) => o.urn.split("::").pop()))].sort(), drifts.map((d) => d.resource).sort());
        const limits = report.groups["tenant acme-corp"].find((o: any) => o.object === "LimitRange tenant-acme-corp/tenant-container-limits");
        assert.ok(limits, JSON.stringify(report.groups["tenant acme-corp"]));
        assert.ok(limits.fields.some((f: string) => f.startsWith("spec.limits")), JSON.stringify(limits));
        assert.deepStrictEqual(report.groups["tenant globex"].find((o: any) => o.object === "Tenant globex")?.fields, ["(deleted in the cluster)"]);
        const markdown = await driftCli(e);
        assert.strictEqual(markdown.code, 1);
        assert.match(markdown.stdout, new RegExp(`\\*\\*${report.drifted} objects drifted\\*\\*`));
    });

    it("restores every drifted object with up --refresh, then a refreshing preview shows no changes", async () => {
        const e = env("test");
        const sys = e.readConfig().config["neurallog:namespace"];
        assert.strictEqual(before.size, drifts.length, "the drift case did not run");
        await e.up({ refresh: true });
        for (const d of drifts) assert.deepStrictEqual(await d.probe(e.cluster, sys), before.get(d.resource), `${d.resource} not restored`);
        await e.preview({ refresh: true, expectNoChanges: true });
    });

    it("`npm run drift` exits 0 on a clean stack and 2 on an error", async () => {
        const e = env("test");
        const clean = await driftCli(e);
        assert.strictEqual(clean.code, 0, clean.stdout + clean.stderr);
        assert.match(clean.stdout, /No drift: the cluster matches Pulumi state\./);
        const missing = await driftCli(e, "--stack", "no-such-stack");
        assert.strictEqual(missing.code, 2, missing.stdout);
        assert.match(missing.stderr, /no-such-stack/);
    });
});

const driftCli = (e: Env, ...args: string[]) => npmScript(e, "drift", ...args);
