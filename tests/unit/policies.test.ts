/**
 * Each policy, tested the compliance-policies way: a compliant fixture passes every
 * policy; breaking one field makes exactly that policy report the object.
 */
import * as assert from "assert";
import { evaluate, POLICIES, RenderedObject } from "../../policies";
import { SECRET_SIG } from "./harness";

const labels = {
    "app.kubernetes.io/name": "app",
    "app.kubernetes.io/instance": "tenant-a",
    "app.kubernetes.io/component": "server",
    "app.kubernetes.io/part-of": "neurallog",
    "app.kubernetes.io/managed-by": "pulumi",
};

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
        { type: "kubernetes:core/v1:ServiceAccount", name: "sa", inputs: { metadata: meta("app"), automountServiceAccountToken: false } },
        {
            type: "kubernetes:core/v1:Secret",
            name: "secret",
            inputs: { metadata: meta("auth"), stringData: { [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value: { password: "x" } } },
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

/** One broken field per policy: the policy it must trip, and the edit. */
const breakages: [string, (o: RenderedObject[]) => void][] = [
    ["containers-run-as-non-root", (o) => { container(o).securityContext.runAsNonRoot = false; pod(o).securityContext.runAsNonRoot = false; }],
    ["containers-read-only-root-filesystem", (o) => { container(o).securityContext.readOnlyRootFilesystem = false; }],
    ["containers-no-privilege", (o) => { container(o).securityContext.allowPrivilegeEscalation = true; }],
    ["containers-requests-and-limits", (o) => { delete container(o).resources.limits.memory; }],
    ["pods-seccomp-runtime-default", (o) => { pod(o).securityContext.seccompProfile = { type: "Unconfined" }; }],
    ["pods-no-service-account-token", (o) => { byName(o, "sa").inputs.automountServiceAccountToken = true; }],
    ["namespaces-pod-security-restricted", (o) => { byName(o, "ns").inputs.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged"; }],
    ["namespaces-default-deny", (o) => { byName(o, "deny").inputs.spec.policyTypes = ["Ingress"]; }],
    ["tenant-namespaces-quota-and-limits", (o) => { o.splice(o.indexOf(byName(o, "quota")), 1); }],
    ["objects-recommended-labels", (o) => { delete byName(o, "quota").inputs.metadata.labels["app.kubernetes.io/part-of"]; }],
    ["secrets-only-as-pulumi-secrets", (o) => { byName(o, "secret").inputs.stringData = { password: "x" }; }],
    ["images-pinned-in-production", (o) => { container(o).image = "neurallog/server:latest"; }],
];

describe("policies", () => {
    it("pass on a compliant fixture", () => {
        assert.deepStrictEqual(evaluate(compliant(), { environment: "production" }), []);
    });

    it("each have a breaking test", () => {
        assert.deepStrictEqual(breakages.map(([n]) => n).sort(), POLICIES.map((p) => p.name).sort());
    });

    for (const [name, breakIt] of breakages) {
        it(`${name} reports the one field broken`, () => {
            const objects = compliant();
            breakIt(objects);
            const violations = evaluate(objects, { environment: "production" });
            assert.ok(violations.length > 0, "nothing reported");
            assert.deepStrictEqual([...new Set(violations.map((v) => v.slice(1, v.indexOf("]"))))], [name], violations.join("\n"));
        });
    }

    it("allow moving tags outside production", () => {
        const objects = compliant();
        container(objects).image = "neurallog/server:latest";
        assert.deepStrictEqual(evaluate(objects, { environment: "test" }), []);
    });
});
