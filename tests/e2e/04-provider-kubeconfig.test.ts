/**
 * Promise: a stack deployed before the provider was given `kubeconfig: ""` (its state holds
 * KUBECONFIG's path, which the SDK filled in) moves over with an in-place update of the
 * provider alone, and no live object is touched. A replaced provider would replace every
 * object of the stack, data volumes included.
 */
import * as assert from "assert";
import { env } from "./hooks";
import { expectProviderUpdateAlone, kubectlJson } from "./support";

describe("provider: from KUBECONFIG's path to the ambient kubeconfig", () => {
    it("updates the provider of an older stack in place and touches no object", async () => {
        const e = env("test");
        const stack = await e.stack();
        const ns = e.readConfig().config["neurallog:namespace"];
        const versions = async (): Promise<string[]> =>
            (await kubectlJson(e.cluster, "get", "namespaces,deployments,statefulsets,persistentvolumeclaims,services", "-A", "-l", "app.kubernetes.io/part-of=neurallog")).items
                .map((o: any) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}@${o.metadata.resourceVersion}`)
                .sort();
        const live = await versions();
        assert.ok(live.some((v) => v.startsWith(`StatefulSet/${ns}/`)) && live.some((v) => v.startsWith("PersistentVolumeClaim/")), live.join("\n"));

        // The state the program wrote before: what the SDK fills in when `kubeconfig` is unset.
        const state = await stack.exportStack();
        const provider = state.deployment.resources.find((r: any) => r.type === "pulumi:providers:kubernetes" && r.urn.endsWith("::k8s"));
        assert.ok(provider, "no kubernetes provider named k8s in the state");
        assert.strictEqual(provider.inputs.kubeconfig, "", "the current program gives the provider an empty kubeconfig");
        provider.inputs.kubeconfig = e.cluster.kubeconfig;
        provider.outputs.kubeconfig = e.cluster.kubeconfig;
        await stack.importStack(state);

        await expectProviderUpdateAlone(e, versions);
        const after = (await stack.exportStack()).deployment.resources.find((r: any) => r.urn === provider.urn);
        assert.strictEqual(after.inputs.kubeconfig, "", "the state still holds the path");
    });
});
