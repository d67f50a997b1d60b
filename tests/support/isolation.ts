/**
 * What a tenant relies on from the API server itself, as checks both live suites run:
 * quota, LimitRange defaults, Pod Security, and RBAC boundaries between tenants.
 */
import * as assert from "assert";
import { Cluster, kubectl, kubectlCreate, kubectlJson } from "./cluster";

/** A pod that satisfies Pod Security `restricted`, optionally with resources. */
export function restrictedPod(name: string, namespace: string, resources?: object) {
    return {
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
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } as Record<string, unknown>,
                },
            ],
        },
    };
}

/** Resolves to the API server's refusal; fails the test if it accepted. */
export async function refused(p: Promise<string>): Promise<string> {
    try {
        const out = await p;
        assert.fail(`the API server accepted it: ${out}`);
    } catch (e: any) {
        if (e.code === "ERR_ASSERTION") throw e;
        return String(e.stderr ?? e.message);
    }
}

export async function quotaOverrunIsRefused(c: Cluster, ns: string) {
    const q = await kubectlJson(c, "get", "resourcequota/tenant-quota", "-n", ns);
    const lr = await kubectlJson(c, "get", "limitrange/tenant-container-limits", "-n", ns);
    const max = lr.spec.limits.find((l: any) => l.type === "Container").max;
    // Within the per-container maximum, but more CPU than the quota has left.
    const pod = restrictedPod("too-big", ns, { requests: { cpu: q.status.hard["requests.cpu"], memory: "128Mi" }, limits: { cpu: max.cpu, memory: "256Mi" } });
    assert.match(await refused(kubectlCreate(c, pod)), /exceeded quota: tenant-quota/);
}

export async function limitRangeDefaultsApply(c: Cluster, ns: string) {
    await kubectlCreate(c, restrictedPod("defaults", ns));
    const pod = await kubectlJson(c, "get", "pod/defaults", "-n", ns);
    const lr = await kubectlJson(c, "get", "limitrange/tenant-container-limits", "-n", ns);
    const container = lr.spec.limits.find((l: any) => l.type === "Container");
    assert.deepStrictEqual(pod.spec.containers[0].resources, { limits: container.default, requests: container.defaultRequest });
    await kubectl(c, "delete", "pod/defaults", "-n", ns, "--wait=false");
}

export async function privilegedPodIsRefused(c: Cluster, ns: string) {
    const pod = restrictedPod("privileged", ns, { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "100m", memory: "128Mi" } });
    pod.spec.containers[0].securityContext = { privileged: true };
    assert.match(await refused(kubectlCreate(c, pod)), /violates PodSecurity "restricted:latest"/);
}

/** SubjectAccessReviews (kubectl auth can-i) for every ordered pair of tenants. */
export async function tenantAccountsAreIsolated(c: Cluster, tenantNamespaces: string[], systemNamespace: string) {
    assert.ok(tenantNamespaces.length >= 2, "need two tenants to compare");
    const can = async (from: string, ...args: string[]) =>
        (await kubectl(c, "auth", "can-i", ...args, "--as", `system:serviceaccount:${from}:tenant-service-account`).catch((e) => e.stdout)).trim();
    for (const a of tenantNamespaces) {
        assert.strictEqual(await can(a, "get", "secrets", "-n", a), "yes", `${a} cannot read its own secrets`);
        assert.strictEqual(await can(a, "list", "pods", "-n", a), "yes", `${a} cannot list its own pods`);
        assert.strictEqual(await can(a, "delete", "pods", "-n", a), "no", `${a} may delete pods`);
        assert.strictEqual(await can(a, "list", "pods", "-n", systemNamespace), "no", `${a} lists system pods`);
        assert.strictEqual(await can(a, "list", "pods", "--all-namespaces"), "no", `${a} lists pods cluster-wide`);
        for (const b of tenantNamespaces.filter((x) => x !== a)) {
            assert.strictEqual(await can(a, "get", "secrets", "-n", b), "no", `${a} reads secrets of ${b}`);
            assert.strictEqual(await can(a, "list", "pods", "-n", b), "no", `${a} lists pods of ${b}`);
        }
    }
}
