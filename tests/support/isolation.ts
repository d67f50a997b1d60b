/**
 * What a tenant relies on from the API server itself, as checks both live suites run:
 * quota, LimitRange defaults, Pod Security, and RBAC boundaries between tenants.
 */
import * as assert from "assert";
import { parseQuantity } from "../../components/quantity";
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

/**
 * Drives a real overrun: pods that each fit the LimitRange (every container at most the
 * container maximum, the pod at most the pod maximum) are admitted while the quota has
 * room, and the first one that does not fit what is left is refused by the quota,
 * not by the LimitRange.
 */
export async function quotaOverrunIsRefused(c: Cluster, ns: string) {
    const lr = await kubectlJson(c, "get", "limitrange/tenant-container-limits", "-n", ns);
    const container = lr.spec.limits.find((l: any) => l.type === "Container");
    const podMax = lr.spec.limits.find((l: any) => l.type === "Pod")?.max ?? container.max;
    const perContainer = parseQuantity(container.max.cpu);
    const count = Math.max(1, Math.floor(parseQuantity(podMax.cpu) / perContainer));
    const memory = container.defaultRequest.memory;
    const cpuMillis = Math.round(perContainer * 1000);
    const probe = (name: string) => {
        const pod = restrictedPod(name, ns);
        const template = pod.spec.containers[0];
        pod.spec.containers = Array.from({ length: count }, (_, i) => ({
            ...template,
            name: `app-${i}`,
            resources: { requests: { cpu: `${cpuMillis}m`, memory }, limits: { cpu: `${cpuMillis}m`, memory } },
        }));
        return pod;
    };
    const podCpu = (count * cpuMillis) / 1000;
    const created: string[] = [];
    try {
        for (let i = 0; ; i++) {
            const q = await kubectlJson(c, "get", "resourcequota/tenant-quota", "-n", ns);
            const room = (key: string) => parseQuantity(q.status.hard[key]) - parseQuantity(q.status.used?.[key] ?? "0");
            const fits = podCpu <= room("requests.cpu") && podCpu <= room("limits.cpu");
            const name = `quota-probe-${i}`;
            if (fits) {
                assert.ok(i < 200, "the quota never filled up");
                await kubectlCreate(c, probe(name));
                created.push(name);
                continue;
            }
            const refusal = await refused(kubectlCreate(c, probe(name)));
            assert.match(refusal, /exceeded quota: tenant-quota/);
            assert.match(refusal, /(requests|limits)\.cpu/);
            assert.doesNotMatch(refusal, /LimitRange|maximum/i, "refused by the LimitRange, not the quota");
            break;
        }
    } finally {
        if (created.length) await kubectl(c, "delete", "pod", ...created, "-n", ns, "--wait=false");
    }
}

export async function limitRangeDefaultsApply(c: Cluster, ns: string) {
    await kubectlCreate(c, restrictedPod("defaults", ns));
    const pod = await kubectlJson(c, "get", "pod/defaults", "-n", ns);
    const lr = await kubectlJson(c, "get", "limitrange/tenant-container-limits", "-n", ns);
    const container = lr.spec.limits.find((l: any) => l.type === "Container");
    assert.deepStrictEqual(pod.spec.containers[0].resources, { limits: container.default, requests: container.defaultRequest });
    await kubectl(c, "delete", "pod/defaults", "-n", ns, "--wait=false");
}

/**
 * Pod Security `restricted`, one branch at a time: a compliant probe pod is admitted
 * (server-side dry run), and the same pod with exactly one field changed is refused,
 * with a message that names that field.
 */
export async function privilegedPodIsRefused(c: Cluster, ns: string) {
    const resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "100m", memory: "128Mi" } };
    const probe = () => restrictedPod("privilege-probe", ns, resources);
    const admitted = await kubectlCreate(c, probe(), "--dry-run=server");
    assert.match(admitted, /created \(server dry run\)/);
    const branches: [string, (sc: Record<string, any>) => void, RegExp][] = [
        // The API rejects privileged with allowPrivilegeEscalation: false as invalid before
        // admission, so this branch leaves the latter unset: Pod Security must name `privileged`.
        ["privileged", (sc) => { sc.privileged = true; delete sc.allowPrivilegeEscalation; }, /privileged \(container "app" must not set securityContext\.privileged=true\)/],
        ["allowPrivilegeEscalation", (sc) => { sc.allowPrivilegeEscalation = true; }, /allowPrivilegeEscalation != false/],
        ["capabilities.add", (sc) => { sc.capabilities = { drop: ["ALL"], add: ["NET_ADMIN"] }; }, /unrestricted capabilities.*NET_ADMIN/],
    ];
    for (const [field, edit, names] of branches) {
        const pod = probe();
        edit(pod.spec.containers[0].securityContext);
        const refusal = await refused(kubectlCreate(c, pod, "--dry-run=server"));
        assert.match(refusal, /violates PodSecurity "restricted:latest"/, `${field}: ${refusal}`);
        assert.match(refusal, names, `${field}: the refusal does not name it: ${refusal}`);
    }
}

/** SubjectAccessReviews (kubectl auth can-i) for every ordered pair of tenants. */
export async function tenantAccountsAreIsolated(c: Cluster, tenantNamespaces: string[], systemNamespace: string) {
    assert.ok(tenantNamespaces.length >= 2, "need two tenants to compare");
    const can = async (from: string, ...args: string[]) =>
        (await kubectl(c, "auth", "can-i", ...args, "--as", `system:serviceaccount:${from}:tenant-service-account`).catch((e) => e.stdout)).trim();
    for (const a of tenantNamespaces) {
        // The seed's role read every Secret of the namespace (the Redis password and whatever
        // comes later); the tenant's token now reads none, by name or by listing.
        for (const verb of ["get", "list", "watch"]) {
            assert.strictEqual(await can(a, verb, "secrets", "-n", a), "no", `${a} may ${verb} secrets in its own namespace`);
        }
        assert.strictEqual(await can(a, "get", "secrets/redis-auth", "-n", a), "no", `${a} reads its Redis password through the API`);
        assert.strictEqual(await can(a, "get", "configmaps", "-n", a), "yes", `${a} cannot read its own configmaps`);
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
