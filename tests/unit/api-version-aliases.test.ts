/** The kubernetes SDK's aliases to older API versions never reach the engine; any other alias would. */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { isApiVersionAlias, withoutApiVersionAliases } from "../../components/api-version-aliases";
import { isKubernetesObject } from "../../components/ownership";
import { Registered, runStack } from "./harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** Objects whose options, as the SDK's classes gave them, carried aliases. */
const aliased = (objects: Registered[]) => objects.filter((o) => (o.opts?.aliases ?? []).length > 0);

describe("API-version aliases", () => {
    it("are only the SDK's: a bare `type` naming the same kind at another kubernetes API version", () => {
        assert.ok(isApiVersionAlias(DEPLOYMENT, { type: "kubernetes:extensions/v1beta1:Deployment" }));
        assert.ok(isApiVersionAlias("kubernetes:rbac.authorization.k8s.io/v1:Role", { type: "kubernetes:rbac.authorization.k8s.io/v1beta1:Role" }));
        const kept: unknown[] = [
            "urn:pulumi:test::neurallog::kubernetes:extensions/v1beta1:Deployment::old",
            { type: "kubernetes:extensions/v1beta1:Deployment", name: "old-name" },
            { type: "kubernetes:apps/v1:StatefulSet" },
            { type: DEPLOYMENT },
            { type: "example:apps/v1beta1:Deployment" },
            { name: "old-name" },
            pulumi.output({ type: "kubernetes:extensions/v1beta1:Deployment" }),
            null,
        ];
        for (const alias of kept) assert.strictEqual(isApiVersionAlias(DEPLOYMENT, alias), false, JSON.stringify(alias));
        assert.strictEqual(isApiVersionAlias("neurallog:tenant:TenantSlice", { type: "neurallog:old:TenantSlice" }), false);
    });

    it("are dropped from the options, any other alias kept in its place", () => {
        const own = { name: "renamed-from" };
        const opts = { protect: true, aliases: [{ type: "kubernetes:apps/v1beta1:Deployment" }, own, { type: "kubernetes:apps/v1beta2:Deployment" }] };
        assert.deepStrictEqual(withoutApiVersionAliases(DEPLOYMENT, opts), { protect: true, aliases: [own] });
        assert.deepStrictEqual(withoutApiVersionAliases(DEPLOYMENT, { protect: true, aliases: [{ type: "kubernetes:apps/v1beta1:Deployment" }] }), { protect: true, aliases: undefined });
        const none = { protect: true, aliases: [own] };
        assert.strictEqual(withoutApiVersionAliases(DEPLOYMENT, none), none);
    });

    for (const stack of ["test", "production"]) {
        it(`reach the engine from no object of ${stack}, though the SDK gives them to many`, async () => {
            const run = await runStack(stack);
            assert.ifError(run.error);
            const objects = run.resources.filter((r) => isKubernetesObject(r.type));
            const given = aliased(objects);
            // What the SDK's classes add, and all they add: the drop is not vacuous.
            for (const kind of ["Deployment", "StatefulSet", "Role", "RoleBinding", "NetworkPolicy", "PodDisruptionBudget"]) {
                assert.ok(given.some((o) => o.type.endsWith(`:${kind}`)), `no ${kind} of ${stack} came with aliases`);
            }
            for (const o of given) assert.ok(o.opts!.aliases!.every((a) => isApiVersionAlias(o.type, a)), `${o.type} ${o.name}`);
            const sent = objects.filter((o) => o.aliasesSent !== 0);
            assert.deepStrictEqual(sent.map((o) => `${o.type} ${o.name}: ${o.aliasesSent}`), []);
        });
    }

    it("reach the engine as the SDK gives them under NEURALLOG_K8S_ALIASES=1", async () => {
        process.env.NEURALLOG_K8S_ALIASES = "1";
        try {
            const run = await runStack("test");
            assert.ifError(run.error);
            const given = aliased(run.resources.filter((r) => isKubernetesObject(r.type)));
            assert.ok(given.length > 0);
            assert.deepStrictEqual(
                given.filter((o) => o.aliasesSent !== o.opts!.aliases!.length).map((o) => `${o.type} ${o.name}: ${o.aliasesSent}`),
                [],
            );
        } finally {
            delete process.env.NEURALLOG_K8S_ALIASES;
        }
    });
});
