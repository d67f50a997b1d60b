/**
 * Each policy, tested the compliance-policies way: a compliant fixture passes every
 * policy; breaking one field makes exactly that policy report the object.
 */
import * as assert from "assert";
import { evaluate, POLICIES, RenderedObject } from "../../policies";
import { runUnderMocks, SECRET_SIG } from "./harness";

const labels = {
    "app.kubernetes.io/name": "app",
    "app.kubernetes.io/instance": "tenant-a",
    "app.kubernetes.io/component": "server",
    "app.kubernetes.io/part-of": "neurallog",
    "app.kubernetes.io/managed-by": "pulumi",
};

const GENERATED = "Zq8vT3mW9xKp2LrN7bYc4HdJ6sFg1Aue";
const CONTEXT = { environment: "production", generatedCredentials: [GENERATED], allowedRegistries: ["docker.io"] };
/** What the SDK sends for a secret value. */
const secretOf = (value: unknown) => ({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value });

function compliant(): RenderedObject[] {
    const meta = (name: string) => ({ name, namespace: "tenant-a", labels: { ...labels } });
    return [
        {
            type: "kubernetes:core/v1:Namespace",
            name: "ns",
            inputs: {
                metadata: {
                    name: "tenant-a",
                    labels: {
                        ...labels,
                        "neurallog.io/tenant-id": "a",
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/audit": "restricted",
                        "pod-security.kubernetes.io/warn": "restricted",
                    },
                },
            },
        },
        { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "deny", inputs: { metadata: meta("default-deny"), spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } } },
        { type: "kubernetes:core/v1:ResourceQuota", name: "quota", inputs: { metadata: meta("tenant-quota"), spec: { hard: { pods: "10" } } } },
        { type: "kubernetes:core/v1:LimitRange", name: "limits", inputs: { metadata: meta("tenant-container-limits"), spec: { limits: [] } } },
        { type: "kubernetes:core/v1:Service", name: "service", inputs: { metadata: meta("app"), spec: { type: "ClusterIP", ports: [{ port: 3030 }] } } },
        {
            type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
            name: "own-role",
            inputs: { metadata: meta("own-role"), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant-role" }, subjects: [] },
        },
        {
            type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
            name: "view",
            inputs: { metadata: meta("view"), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [] },
        },
        { type: "kubernetes:core/v1:ServiceAccount", name: "sa", inputs: { metadata: meta("app"), automountServiceAccountToken: false } },
        {
            type: "kubernetes:core/v1:Secret",
            name: "secret",
            inputs: { metadata: meta("auth"), stringData: secretOf({ username: "app", password: GENERATED, url: `redis://:${GENERATED}@redis:6379` }) },
        },
        {
            type: "kubernetes:apps/v1:Deployment",
            name: "deployment",
            inputs: {
                metadata: meta("app"),
                spec: {
                    template: {
                        spec: {
                            automountServiceAccountToken: false,
                            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [
                                {
                                    name: "app",
                                    image: "neurallog/server:1.4.2",
                                    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
                                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                    securityContext: {
                                        runAsNonRoot: true,
                                        readOnlyRootFilesystem: true,
                                        allowPrivilegeEscalation: false,
                                        capabilities: { drop: ["ALL"] },
                                    },
                                },
                            ],
                        },
                    },
                },
            },
        },
    ];
}

const byName = (objects: RenderedObject[], name: string) => objects.find((o) => o.name === name)!;
const container = (objects: RenderedObject[]) => byName(objects, "deployment").inputs.spec.template.spec.containers[0];
const pod = (objects: RenderedObject[]) => byName(objects, "deployment").inputs.spec.template.spec;

/** One broken field per policy branch: the policy it must trip, the field its message names, and the edit. */
const breakages: [string, string, (o: RenderedObject[]) => void][] = [
    ["containers-run-as-non-root", "runAsNonRoot", (o) => { container(o).securityContext.runAsNonRoot = false; pod(o).securityContext.runAsNonRoot = false; }],
    ["containers-read-only-root-filesystem", "readOnlyRootFilesystem", (o) => { container(o).securityContext.readOnlyRootFilesystem = false; }],
    ["containers-no-privilege", "allowPrivilegeEscalation", (o) => { container(o).securityContext.allowPrivilegeEscalation = true; }],
    ["containers-no-privilege", "privileged", (o) => { container(o).securityContext.privileged = true; }],
    ["containers-no-privilege", "capabilities.add", (o) => { container(o).securityContext.capabilities.add = ["NET_ADMIN"]; }],
    ["containers-no-privilege", "capabilities.drop", (o) => { container(o).securityContext.capabilities.drop = ["NET_RAW"]; }],
    ["containers-requests-and-limits", "limits.memory", (o) => { delete container(o).resources.limits.memory; }],
    ["pods-seccomp-runtime-default", "seccompProfile", (o) => { pod(o).securityContext.seccompProfile = { type: "Unconfined" }; }],
    ["pods-no-service-account-token", "automountServiceAccountToken", (o) => { byName(o, "sa").inputs.automountServiceAccountToken = true; }],
    ["namespaces-pod-security-restricted", "enforce", (o) => { byName(o, "ns").inputs.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged"; }],
    ["namespaces-default-deny", "default-deny", (o) => { byName(o, "deny").inputs.spec.policyTypes = ["Ingress"]; }],
    ["tenant-namespaces-quota-and-limits", "ResourceQuota", (o) => { o.splice(o.indexOf(byName(o, "quota")), 1); }],
    ["objects-recommended-labels", "app.kubernetes.io/part-of", (o) => { delete byName(o, "quota").inputs.metadata.labels["app.kubernetes.io/part-of"]; }],
    // A literal, wrapped as a secret exactly as the SDK wraps every stringData.
    ["secrets-only-generated-credentials", "stringData.password", (o) => { byName(o, "secret").inputs.stringData = secretOf({ password: "hunter2-hunter2-hunter2" }); }],
    ["images-pinned-in-production", "latest", (o) => { container(o).image = "neurallog/server:latest"; }],
    ["images-from-allowed-registries", "ghcr.io", (o) => { container(o).image = "ghcr.io/neurallog/server:1.4.2"; }],
    ["pods-no-host-access", "hostNetwork", (o) => { pod(o).hostNetwork = true; }],
    ["pods-no-host-access", "hostPID", (o) => { pod(o).hostPID = true; }],
    ["pods-no-host-access", "hostIPC", (o) => { pod(o).hostIPC = true; }],
    ["pods-no-host-access", "hostPath", (o) => { pod(o).volumes = [{ name: "tmp", hostPath: { path: "/var/run" } }]; }],
    ["tenant-services-not-exposed", "LoadBalancer", (o) => { byName(o, "service").inputs.spec.type = "LoadBalancer"; }],
    ["tenant-services-not-exposed", "NodePort", (o) => { byName(o, "service").inputs.spec.type = "NodePort"; }],
    ["tenant-rolebindings-view-only", "cluster-admin", (o) => { byName(o, "view").inputs.roleRef.name = "cluster-admin"; }],
];

describe("policies", () => {
    it("pass on a compliant fixture", () => {
        assert.deepStrictEqual(evaluate(compliant(), CONTEXT), []);
    });

    it("each have a breaking test", () => {
        assert.deepStrictEqual([...new Set(breakages.map(([n]) => n))].sort(), POLICIES.map((p) => p.name).sort());
    });

    for (const [name, field, breakIt] of breakages) {
        it(`${name} reports the one field broken: ${field}`, () => {
            const objects = compliant();
            breakIt(objects);
            const violations = evaluate(objects, CONTEXT);
            assert.strictEqual(violations.length, 1, violations.join("\n"));
            assert.ok(violations[0].startsWith(`[${name}] `), violations[0]);
            assert.ok(violations[0].includes(field), `${violations[0]} does not name ${field}`);
        });
    }

    it("leave non-tenant namespaces' Services alone and read registries as the runtime does", () => {
        const objects = compliant();
        objects.push({ type: "kubernetes:core/v1:Service", name: "lb", inputs: { metadata: { name: "lb", namespace: "ingress-nginx", labels }, spec: { type: "LoadBalancer" } } });
        assert.deepStrictEqual(evaluate(objects, CONTEXT), []);
        for (const [image, registry] of [["redis:7", "docker.io"], ["qdrant/qdrant:v1", "docker.io"], ["quay.io/p/e:v1", "quay.io"], ["localhost:5000/x:1", "localhost:5000"]]) {
            container(objects).image = image;
            const v = evaluate(objects, { ...CONTEXT, allowedRegistries: [registry] });
            assert.deepStrictEqual(v, [], `${image} from ${registry}`);
        }
    });

    it("check a CronJob's pod template as they check a Deployment's", () => {
        const objects = compliant();
        const template = structuredClone(byName(objects, "deployment").inputs.spec.template);
        objects.push({ type: "kubernetes:batch/v1:CronJob", name: "backup", inputs: { metadata: { name: "backup", namespace: "tenant-a", labels }, spec: { jobTemplate: { spec: { template } } } } });
        assert.deepStrictEqual(evaluate(objects, CONTEXT), []);
        template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
        template.spec.automountServiceAccountToken = true;
        const violations = evaluate(objects, CONTEXT);
        assert.deepStrictEqual(violations.map((v) => v.slice(0, v.indexOf("]") + 1)).sort(), ["[containers-read-only-root-filesystem]", "[pods-no-service-account-token]"]);
        assert.ok(violations.every((v) => v.includes("batch/v1:CronJob tenant-a/backup")), violations.join("\n"));
    });

    it("check the labels of the program's own CRDs, not of the third-party CRDs it only reads", () => {
        const crd = (name: string) => ({ type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", name, inputs: { metadata: { name } } });
        const objects = [...compliant(), crd("servicemonitors.monitoring.coreos.com"), crd("tenants.neurallog.io")];
        const violations = evaluate(objects, CONTEXT);
        assert.ok(violations.length > 0 && violations.every((v) => v.startsWith("[objects-recommended-labels]") && v.includes("tenants.neurallog.io")), violations.join("\n"));
    });

    it("allow moving tags outside production", () => {
        const objects = compliant();
        container(objects).image = "neurallog/server:latest";
        assert.deepStrictEqual(evaluate(objects, { ...CONTEXT, environment: "test" }), []);
    });

    it("secrets-only-generated-credentials catches a literal put into a real k8s.core.v1.Secret", async () => {
        const run = await runUnderMocks({}, "test", {}, async () => {
            const k8s = await import("@pulumi/kubernetes");
            const { GeneratedCredential } = await import("../../components/credential");
            const password = new GeneratedCredential("policy-probe", { length: 32 });
            const metadata = (name: string) => ({ name, namespace: "tenant-a" });
            new k8s.core.v1.Secret("generated", { metadata: metadata("generated"), stringData: { password: password.value } });
            new k8s.core.v1.Secret("literal", { metadata: metadata("literal"), stringData: { password: "hunter2-hunter2-hunter2" } });
            new k8s.core.v1.Secret("encoded", { metadata: metadata("encoded"), data: { password: Buffer.from("hunter2").toString("base64") } });
        });
        assert.ifError(run.error);
        assert.strictEqual(run.credentials.length, 1);
        const policy = POLICIES.find((p) => p.name === "secrets-only-generated-credentials")!;
        const violations = policy.validate(run.resources, { environment: "test", generatedCredentials: run.credentials });
        assert.deepStrictEqual(violations, [
            "core/v1:Secret tenant-a/literal: stringData.password is not a generated credential",
            "core/v1:Secret tenant-a/encoded: data must not be set (base64 by hand is not encryption)",
            "core/v1:Secret tenant-a/encoded: stringData must be a Pulumi secret",
        ]);
    });

    it("secrets-only-generated-credentials reads the state a policy pack sees: base64 data, secrets unwrapped", () => {
        const policy = POLICIES.find((p) => p.name === "secrets-only-generated-credentials")!;
        const generated = "generated-credential-0123456789abcdef";
        const b64 = (v: string) => Buffer.from(v).toString("base64");
        const state = (name: string, data: Record<string, string>): RenderedObject => ({
            type: "kubernetes:core/v1:Secret",
            name,
            inputs: { metadata: { name, namespace: "tenant-a" }, data },
        });
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const objects = [
            state("generated", { username: b64("app"), url: b64(`redis://:${generated}@redis:6379`) }),
            state("pending", { password: unknown }),
            { type: "kubernetes:core/v1:Secret", name: "to-create", inputs: { metadata: { name: "to-create", namespace: "tenant-a" }, stringData: unknown, data: unknown } },
            state("literal", { username: b64("app"), password: b64("hunter2-hunter2-hunter2") }),
        ];
        assert.deepStrictEqual(policy.validate(objects, { environment: "test", generatedCredentials: [generated], fromState: true }), [
            "core/v1:Secret tenant-a/literal: data.password is not a generated credential",
        ]);
    });
});
