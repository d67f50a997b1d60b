/**
 * The offboarding guard: the program reads back what its last update exported and
 * refuses, before registering anything, to drop a tenant that was not decommissioned.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../components/config";
import { promiseOf, Run, runProgram, stackConfig } from "./harness";

const config = () => stackConfig("production");
const without = (id: string) => ({ ...config(), tenants: config().tenants.filter((t: any) => t.tenantId !== id) });
const withDecommission = (id: string) => ({
    ...config(),
    tenants: config().tenants.map((t: any) => (t.tenantId === id ? { ...t, decommission: true } : t)),
});

/** The `tenants` output as the engine stores it: plain values. */
async function exported(run: Run): Promise<Record<string, unknown>> {
    assert.ifError(run.error);
    return { tenants: await promiseOf(pulumi.output(run.outputs.tenants)) };
}

describe("offboarding guard", () => {
    let deployed: Record<string, unknown>;
    let victim: string;
    before(async () => {
        deployed = await exported(await runProgram(config(), "production"));
        victim = config().tenants[0].tenantId;
    });

    it("records every tenant and whether it is decommissioned in the stack output it reads back", () => {
        const tenants = deployed.tenants as Record<string, { decommission: boolean }>;
        assert.deepStrictEqual(Object.keys(tenants).sort(), config().tenants.map((t: any) => t.tenantId).sort());
        assert.ok(Object.values(tenants).every((t) => t.decommission === false));
    });

    it("refuses to drop a tenant that is not decommissioned, naming it and the way to offboard, registering nothing", async () => {
        const run = await runProgram(without(victim), "production", deployed);
        assert.ok(run.error instanceof ConfigError, `program did not fail: ${run.error}`);
        assert.match(run.error.message, new RegExp(`neurallog:tenants no longer lists tenant "${victim}"`));
        assert.match(run.error.message, /decommission: true/);
        assert.deepStrictEqual(
            run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name),
            [],
        );
    });

    it("names every dropped tenant at once", async () => {
        const ids = config().tenants.slice(0, 2).map((t: any) => t.tenantId);
        const run = await runProgram({ ...config(), tenants: config().tenants.slice(2) }, "production", deployed);
        for (const id of ids) assert.match(String(run.error), new RegExp(`tenant "${id}"`));
    });

    it("lets a tenant go once an update has recorded it as decommissioned", async () => {
        const decommissioned = await exported(await runProgram(withDecommission(victim), "production", deployed));
        assert.strictEqual((decommissioned.tenants as any)[victim].decommission, true);
        const run = await runProgram(without(victim), "production", decommissioned);
        assert.ifError(run.error);
    });

    it("lets a new stack, with no previous update, deploy any tenant list", async () => {
        const run = await runProgram(without(victim), "production", {});
        assert.ifError(run.error);
    });
});
