/** Promise: the API server itself enforces each tenant's quota, limits, Pod Security and RBAC boundaries. */
import * as assert from "assert";
import { env } from "./hooks";
import { kubectl, kubectlCreate, kubectlJson } from "./support";

const restrictedPod = (name: string, namespace: string, resources?: object) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                name: "app",
                image: "busybox:1.36",
                ...(resources ? { resources } : {}),
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
        ],
    },
});

async function rejected(promise: Promise<string>): Promise<string> {
    try {
        const out = await promise;
        assert.fail(`expected the API server to refuse, it accepted: ${out}`);
    } catch (e: any) {
        if (e.code === "ERR_ASSERTION") throw e;
        return String(e.stderr ?? e.message);
    }
}

describe("isolation enforced by the API server", () => {
    const ns = "tenant-globex";

    it("rejects a pod that would exceed the tenant's quota", async () => {
        const c = env("test").cluster;
        const quota = await kubectlJson(c, "get", "resourcequota/tenant-quota", "-n", ns);
        // Ask for more CPU than is left, within the LimitRange's per-container maximum.
        const hard = Number(quota.status.hard["requests.cpu"]);
        const err = await rejected(
            kubectlCreate(c, restrictedPod("too-big", ns, { requests: { cpu: String(hard), memory: "128Mi" }, limits: { cpu: "4", memory: "256Mi" } })),
        );
        assert.match(err, /exceeded quota: tenant-quota/);
    });

    it("gives a pod without resources the LimitRange defaults", async () => {
        const c = env("test").cluster;
        await kubectlCreate(c, restrictedPod("defaults", ns));
        const pod = await kubectlJson(c, "get", "pod/defaults", "-n", ns);
        const lr = await kubectlJson(c, "get", "limitrange/tenant-container-limits", "-n", ns);
        const container = lr.spec.limits.find((l: any) => l.type === "Container");
        assert.deepStrictEqual(pod.spec.containers[0].resources, { limits: container.default, requests: container.defaultRequest });
        await kubectl(c, "delete", "pod/defaults", "-n", ns, "--wait=true");
    });

    it("refuses a privileged pod through Pod Security admission", async () => {
        const c = env("test").cluster;
        const pod = restrictedPod("privileged", ns, { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "100m", memory: "128Mi" } });
        (pod.spec.containers[0].securityContext as any) = { privileged: true };
        const err = await rejected(kubectlCreate(c, pod));
        assert.match(err, /violates PodSecurity "restricted:latest"/);
    });

    it("keeps every tenant's service account out of every other tenant, and in its own", async () => {
        const e = env("test");
        const c = e.cluster;
        const sysNs = e.readConfig().config["neurallog:namespace"];
        const tenants = (await kubectlJson(c, "get", "tenants")).items.map((t: any) => t.status.namespace);
        assert.ok(tenants.length >= 2);
        const can = async (as: string, ...args: string[]) =>
            (await kubectl(c, "auth", "can-i", ...args, "--as", `system:serviceaccount:${as}:tenant-service-account`).catch((e) => e.stdout)).trim();
        for (const a of tenants) {
            assert.strictEqual(await can(a, "get", "secrets", "-n", a), "yes", `${a} cannot read its own secrets`);
            assert.strictEqual(await can(a, "list", "pods", "-n", sysNs), "no", `${a} lists pods in ${sysNs}`);
            assert.strictEqual(await can(a, "list", "pods", "--all-namespaces"), "no", `${a} lists pods cluster-wide`);
            for (const b of tenants.filter((x: string) => x !== a)) {
                assert.strictEqual(await can(a, "get", "secrets", "-n", b), "no", `${a} reads secrets of ${b}`);
                assert.strictEqual(await can(a, "list", "pods", "-n", b), "no", `${a} lists pods of ${b}`);
            }
        }
    });
});
