/** Promise: an invalid stack config fails preview and up with the validation message, and the cluster is unchanged. */
import * as assert from "assert";
import { env } from "./hooks";
import { Cluster, kubectlJson } from "./support";

async function snapshot(c: Cluster): Promise<string[]> {
    const platform = await kubectlJson(c, "get", "all,configmaps,secrets,networkpolicies,resourcequotas,limitranges,roles,rolebindings,serviceaccounts,pvc,pdb,hpa", "-A", "-l", "app.kubernetes.io/part-of=neurallog");
    const cluster = await kubectlJson(c, "get", "namespaces,tenants,crd,clusterroles", "-l", "app.kubernetes.io/part-of=neurallog");
    return [...platform.items, ...cluster.items]
        .filter((o: any) => o.kind !== "Pod")
        .map((o: any) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name} ${o.metadata.resourceVersion}`)
        .sort();
}

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
});
