/**
 * RBAC against an explicit, reviewed list: every Role and ClusterRole the program creates
 * must grant exactly these rules. A new verb, resource or role fails here and has to be
 * reviewed into the list, so widening access is never silent.
 */
import * as assert from "assert";
import { isDeepStrictEqual } from "util";
import { Registered, runStack } from "./harness";

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

/** Reviewed: who gets what, and why. Keys: `<Kind> <name>`; namespaced roles apply in every namespace they appear. */
const REVIEWED: Record<string, Rule[]> = {
    // Tenant operator guide's tenant-role: read-only inside the tenant's own namespace.
    "Role tenant-role": [
        { apiGroups: [""], resources: ["pods", "services", "configmaps"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["apps"], resources: ["deployments", "replicasets"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "list"] },
        { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
    ],
    // The platform server reads its own ConfigMap and nothing else.
    "Role neurallog-server": [{ apiGroups: [""], resources: ["configmaps"], resourceNames: ["neurallog-config"], verbs: ["get", "watch"] }],
    // The VolumeSnapshot job: lists claims, makes and prunes snapshots in its own namespace.
    "Role backup-snapshots": [
        { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["list"] },
        { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["list", "create", "delete"] },
    ],
    // The VolumeSnapshot job finds the tenant namespaces by label; nothing else cluster-wide.
    "ClusterRole neurallog-backup-namespaces": [{ apiGroups: [""], resources: ["namespaces"], verbs: ["list"] }],
    // `kubectl get tenants` for whoever may view.
    "ClusterRole neurallog-tenant-viewer": [{ apiGroups: ["neurallog.io"], resources: ["tenants"], verbs: ["get", "list", "watch"] }],
};

const ROLE_TYPES = ["kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"];

/** Differences between the roles rendered and the reviewed list. */
export function rbacDeviations(resources: Registered[]): string[] {
    const out: string[] = [];
    for (const r of resources.filter((x) => ROLE_TYPES.includes(x.type))) {
        const key = `${r.type.split(":").pop()} ${r.inputs.metadata.name}`;
        const reviewed = REVIEWED[key];
        if (!reviewed) {
            out.push(`${key} (${r.inputs.metadata.namespace ?? "cluster"}) is not in the reviewed list`);
        } else if (!isDeepStrictEqual(r.inputs.rules, reviewed)) {
            out.push(`${key} in ${r.inputs.metadata.namespace ?? "cluster"} grants ${JSON.stringify(r.inputs.rules)}`);
        }
    }
    return out;
}

describe("RBAC against the reviewed list", () => {
    for (const stack of ["test", "production"]) {
        it(`${stack}: every Role and ClusterRole grants exactly the reviewed rules`, async () => {
            const run = await runStack(stack);
            assert.ifError(run.error);
            const roles = run.resources.filter((x) => ROLE_TYPES.includes(x.type));
            assert.ok(roles.length >= 3, `only ${roles.length} roles rendered`);
            assert.deepStrictEqual(rbacDeviations(run.resources), []);
        });
    }

    it("reports a role that gains a verb, a resource, or a rule", async () => {
        const run = await runStack("test");
        const role = run.resources.find((r) => r.type.endsWith(":Role") && r.inputs.metadata.name === "tenant-role")!;
        const widen = (rules: Rule[]) => [{ ...role, inputs: { ...role.inputs, rules } }];
        const base: Rule[] = role.inputs.rules;
        assert.deepStrictEqual(rbacDeviations([role]), []);
        assert.strictEqual(rbacDeviations(widen([{ ...base[0], verbs: ["*"] }, ...base.slice(1)])).length, 1);
        assert.strictEqual(rbacDeviations(widen([{ ...base[1], resources: [...base[1].resources, "statefulsets"] }, ...base.slice(2)])).length, 1);
        assert.strictEqual(rbacDeviations(widen([...base, { apiGroups: [""], resources: ["nodes"], verbs: ["get"] }])).length, 1);
    });
});

describe("personal data", () => {
    it("keeps billing e-mails off namespaces and out of the built-in view role", async () => {
        const run = await runStack("production");
        assert.ifError(run.error);
        const namespaces = run.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace");
        assert.ok(namespaces.length >= 2, "no namespaces to check");
        for (const ns of namespaces) {
            assert.doesNotMatch(JSON.stringify(ns.inputs.metadata), /@|billing/i, `${ns.inputs.metadata.name} carries personal data`);
        }
        const roles = run.resources.filter((r) => ROLE_TYPES.includes(r.type) && (r.inputs.rules ?? []).some((x: Rule) => x.resources.includes("tenants")));
        assert.ok(roles.length >= 1, "no role reads Tenant objects");
        for (const role of roles) {
            const aggregated = Object.keys(role.inputs.metadata.labels ?? {}).filter((l) => l.startsWith("rbac.authorization.k8s.io/aggregate-to-"));
            assert.deepStrictEqual(aggregated, [], `${role.inputs.metadata.name} is aggregated into a built-in role`);
        }
    });
});
