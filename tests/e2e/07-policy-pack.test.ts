/**
 * Promise: the platform's policies are enforced by the engine, not only by unit tests.
 * With the policy pack attached (`--policy-pack policy-pack`), both stacks preview with
 * no violation, and a config edit the program accepts but a policy forbids is refused by
 * `pulumi up` before anything changes in the cluster.
 */
import * as assert from "assert";
import { PolicyEvent } from "@pulumi/pulumi/automation";
import { env } from "./hooks";
import { policyPackOptions } from "../../scripts/policy-config";
import { pulumiCli, snapshot } from "./support";

describe("policy pack, enforced by the engine", () => {
    for (const name of ["test", "production"] as const) {
        it(`previews the ${name} stack with every policy and no violation`, async () => {
            const events: PolicyEvent[] = [];
            await env(name).preview({ policyPack: true, policyEvents: events });
            assert.deepStrictEqual(events.map((e) => `${e.policyName}: ${e.message}`), []);
        });
    }

    it("refuses an up that turns off a tenant's network policies, changing nothing", async () => {
        const e = env("test");
        const before = await snapshot(e.cluster);
        assert.ok(before.some((o) => o.startsWith("NetworkPolicy tenant-acme-corp/default-deny ")), "the tenant has its default-deny policy");
        const saved = e.readConfig();
        // Valid config (an explicit opt-out), but the platform promises default-deny in every tenant namespace.
        e.editConfig((c) => {
            c["neurallog:tenants"].find((t: { tenantId: string }) => t.tenantId === "acme-corp").networkPolicy = { enabled: false };
        });
        try {
            const events: PolicyEvent[] = [];
            await assert.rejects(e.preview({ policyPack: true, policyEvents: events }), /mandatory policy violation|namespaces-default-deny/);
            assert.deepStrictEqual(
                [...new Set(events.map((v) => v.policyName))],
                ["namespaces-default-deny"],
                `violations: ${events.map((v) => v.message).join("; ")}`,
            );
            assert.ok(events.every((v) => v.enforcementLevel === "mandatory" && /tenant-acme-corp/.test(v.message)));
            // `pulumi up` previews first and stops there: stack policies judge the whole plan.
            const pack = policyPackOptions(e.stackName, e.workDir);
            const up = await pulumiCli(e, "up", "--yes", "--policy-pack", pack.policyPacks[0], "--policy-pack-config", pack.policyPackConfigs[0]);
            assert.notStrictEqual(up.code, 0, "up is refused");
            assert.match(up.stdout, /\[mandatory\]\s+namespaces-default-deny/);
            assert.deepStrictEqual(await snapshot(e.cluster), before);
        } finally {
            e.writeConfig(saved);
        }
    });
});
