/** Promise: the provider's client rate is stack config; changing it updates the provider in place and touches no object. */
import { env } from "./hooks";
import { expectProviderUpdateAlone, kubectlJson } from "./support";

describe("client rate (cluster.qps, cluster.burst)", () => {
    it("changes by a config edit: the provider is updated in place, nothing else changes, live objects keep their versions", async () => {
        const e = env("test");
        const ns = e.readConfig().config["neurallog:namespace"];
        const versions = async () =>
            (await kubectlJson(e.cluster, "get", "deployments,statefulsets,services,configmaps", "-n", ns)).items.map((o: any) => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
        e.editConfig((c) => {
            c["neurallog:cluster"] = { ...c["neurallog:cluster"], qps: 120, burst: 240 };
        });
        await expectProviderUpdateAlone(e, versions);
    });
});
