/**
 * Promise: changes made behind Pulumi's back are reported by a refreshing preview and
 * undone by `up --refresh`.
 */
import * as assert from "assert";
import { env } from "./hooks";
import { changes, kubectl, kubectlJson } from "./support";

describe("drift tracking", () => {
    const tenantNs = "tenant-globex";
    const drifted = [
        "tenant-globex-server-deployment", // scaled
        "neurallog-config", // ConfigMap value edited
        "tenant-globex-netpol-tenant-isolation", // deleted
        "tenant-globex-quota", // loosened
        "tenant-globex-rolebinding", // extra subject
    ];

    it("reports exactly the drifted resources in a refreshing preview", async () => {
        const e = env("test");
        const c = e.cluster;
        const sysNs = e.readConfig().config["neurallog:namespace"];
        await kubectl(c, "scale", "deployment/neurallog-server", "-n", tenantNs, "--replicas=3");
        await kubectl(c, "patch", "configmap/neurallog-config", "-n", sysNs, "--type=merge", "-p", '{"data":{"LOG_LEVEL":"trace"}}');
        await kubectl(c, "delete", "networkpolicy/tenant-isolation", "-n", tenantNs);
        await kubectl(c, "patch", "resourcequota/tenant-quota", "-n", tenantNs, "--type=merge", "-p", '{"spec":{"hard":{"pods":"999"}}}');
        await kubectl(c, "patch", "rolebinding/tenant-role-binding", "-n", tenantNs, "--type=json", "-p",
            '[{"op":"add","path":"/subjects/-","value":{"kind":"User","name":"intruder","apiGroup":"rbac.authorization.k8s.io"}}]');

        const planned = changes(await e.preview({ refresh: true }));
        const names = planned.map(([urn]) => urn.split("::").pop()!).sort();
        assert.deepStrictEqual(names, [...drifted].sort(), `planned: ${JSON.stringify(planned)}`);
    });

    it("restores every drifted resource with up --refresh, then shows no changes", async () => {
        const e = env("test");
        const c = e.cluster;
        const sysNs = e.readConfig().config["neurallog:namespace"];
        await e.up({ refresh: true });
        const dep = await kubectlJson(c, "get", "deployment/neurallog-server", "-n", tenantNs);
        assert.strictEqual(dep.spec.replicas, 1);
        const cm = await kubectlJson(c, "get", "configmap/neurallog-config", "-n", sysNs);
        assert.strictEqual(cm.data.LOG_LEVEL, "debug");
        await kubectlJson(c, "get", "networkpolicy/tenant-isolation", "-n", tenantNs);
        const quota = await kubectlJson(c, "get", "resourcequota/tenant-quota", "-n", tenantNs);
        assert.strictEqual(quota.spec.hard.pods, "50");
        const rb = await kubectlJson(c, "get", "rolebinding/tenant-role-binding", "-n", tenantNs);
        assert.deepStrictEqual(rb.subjects.map((s: any) => s.name), ["tenant-service-account"]);
        await e.preview({ refresh: true, expectNoChanges: true });
    });
});
