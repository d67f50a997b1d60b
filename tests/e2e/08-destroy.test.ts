/** Promise: `pulumi destroy` of test leaves no tenant namespace and no object labelled as the platform's. */
import * as assert from "assert";
import { env } from "./hooks";
import { kubectlJson } from "./support";

describe("destroy", () => {
    it("removes every tenant namespace and every platform object", async () => {
        const e = env("test");
        await e.destroy();
        const namespaces = await kubectlJson(e.cluster, "get", "namespaces");
        const tenantNs = namespaces.items.map((n: any) => n.metadata.name).filter((n: string) => n.startsWith("tenant-"));
        assert.deepStrictEqual(tenantNs, []);
        const leftovers = await kubectlJson(e.cluster, "get", "all,configmaps,secrets,pvc,namespaces,clusterroles,crd", "-A", "-l", "app.kubernetes.io/part-of=neurallog");
        assert.deepStrictEqual(leftovers.items.map((o: any) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`), []);
    });
});
