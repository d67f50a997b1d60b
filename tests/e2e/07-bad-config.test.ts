/**
 * Promise: an invalid stack config, a kubeconfig that points at another cluster, and a
 * second stack on a cluster another stack owns all fail preview and up with a message
 * that names the config key, and the clusters are unchanged.
 */
import * as assert from "assert";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { clusters, env } from "./hooks";
import { Env, snapshot } from "./support";

describe("bad config against a live cluster", () => {
    it("fails preview and up with the validation message and changes nothing", async () => {
        const e = env("test");
        const before = await snapshot(e.cluster);
        assert.ok(before.length > 20);
        const saved = e.readConfig();
        e.editConfig((c) => {
            c["neurallog:tenants"][0].tenantId = "Acme_Corp";
            c["neurallog:server"].replicas = 0;
        });
        const message = /neurallog:tenants\[0\]\.tenantId "Acme_Corp" must match[\s\S]*neurallog:server\.replicas 0 must be at least 1|neurallog:server\.replicas 0 must be at least 1[\s\S]*neurallog:tenants\[0\]\.tenantId "Acme_Corp" must match/;
        await assert.rejects(e.preview(), message);
        await assert.rejects(e.up(), message);
        assert.deepStrictEqual(await snapshot(e.cluster), before);
        e.writeConfig(saved);
    });

    it("refuses to run the production stack through a kubeconfig of the test cluster, changing neither", async () => {
        const prod = env("production");
        const test = env("test");
        const before = [await snapshot(prod.cluster), await snapshot(test.cluster)];
        assert.ok(before[0].length > 20 && before[1].length > 20);
        const workspace = (await prod.stack()).workspace as LocalWorkspace;
        workspace.envVars.KUBECONFIG = test.cluster.kubeconfig;
        try {
            const message = /neurallog:cluster\.server is https:\/\/127\.0\.0\.1:\d+ but context "neurallog-local" of KUBECONFIG \([^)]+\) points at https:\/\/127\.0\.0\.1:\d+; this stack refuses to deploy to another cluster/;
            await assert.rejects(prod.preview(), message);
            await assert.rejects(prod.up(), message);
        } finally {
            workspace.envVars.KUBECONFIG = prod.cluster.kubeconfig;
        }
        assert.deepStrictEqual([await snapshot(prod.cluster), await snapshot(test.cluster)], before);
    });

    it("refuses a second stack on a cluster whose NeuralLog objects another stack owns", async () => {
        const test = env("test");
        const before = await snapshot(test.cluster);
        // The test stack's own config under another stack name: same cluster, same tenants.
        const intruder = new Env("intruder", clusters.test, "test");
        const message = /neurallog:namespace Namespace neurallog on https:\/\/127\.0\.0\.1:\d+ belongs to stack organization\/neurallog\/test; one stack owns a cluster's NeuralLog objects/;
        await assert.rejects(intruder.preview(), message);
        await assert.rejects(intruder.up(), message);
        assert.deepStrictEqual(await snapshot(test.cluster), before);
    });
});
