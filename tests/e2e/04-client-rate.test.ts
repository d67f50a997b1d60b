/** Promise: the provider's client rate is stack config; changing it updates the provider in place and touches no object. */
import * as assert from "assert";
import { env } from "./hooks";
import { changes, kubectlJson } from "./support";

describe("client rate (cluster.qps, cluster.burst)", () => {
    it("changes by a config edit: the provider is updated in place, nothing else changes, live objects keep their versions", async () => {
        const e = env("test");
        const ns = e.readConfig().config["neurallog:namespace"];
        const versions = async () =>
            (await kubectlJson(e.cluster, "get", "deployments,statefulsets,services,configmaps", "-n", ns)).items.map((o: any) => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
        const before = await versions();

        e.editConfig((c) => {
            c["neurallog:cluster"] = { ...c["neurallog:cluster"], qps: 120, burst: 240 };
        });
        const planned = changes(await e.preview());
        assert.deepStrictEqual(
            planned.map(([urn, op]) => `${urn.split("::").slice(-2).join("::")} ${op}`),
            ["pulumi:providers:kubernetes::k8s update"],
            "only the provider, updated in place (a replaced provider would replace every object)",
        );
        const result = await e.up();
        const changed = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => !["same", "read"].includes(op));
        assert.deepStrictEqual(changed, [["update", 1]]);
        assert.deepStrictEqual(await versions(), before, "a live object was touched");
        await e.preview({ expectNoChanges: true });
    });
});
