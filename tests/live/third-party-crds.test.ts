/**
 * The third-party CRDs `npm run cluster:up` installs (scripts/cluster/crds.sh) are the
 * projects' real schemas: each accepts a well-formed object and refuses the same object
 * with one field broken. A stand-in CRD that accepts anything would fail the second half.
 */
import * as assert from "assert";
import { kubectlCreate } from "../support/cluster";
import { clusters } from "./hooks";

interface Case {
    what: string;
    valid: object;
    /** The same object with one field outside the schema. */
    broken: object;
    /** What the API server's refusal names. */
    refusal: RegExp;
}

const meta = (name: string) => ({ name, namespace: "default" });
const selector = { matchLabels: { app: "x" } };

const cases: Case[] = [
    {
        what: "ServiceMonitor (prometheus-operator)",
        valid: { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: meta("sm"), spec: { selector, endpoints: [{ port: "http", scheme: "http" }] } },
        broken: { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: meta("sm"), spec: { selector, endpoints: [{ port: "http", scheme: "gopher" }] } },
        refusal: /spec\.endpoints\[0\]\.scheme: Unsupported value: "gopher"/,
    },
    {
        what: "PrometheusRule (prometheus-operator)",
        valid: { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: meta("pr"), spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0" }] }] } },
        broken: { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: meta("pr"), spec: { groups: [{ name: "g", rules: [{ alert: "A" }] }] } },
        refusal: /spec\.groups\[0\]\.rules\[0\]\.expr: Required value/,
    },
    {
        what: "VerticalPodAutoscaler",
        valid: { apiVersion: "autoscaling.k8s.io/v1", kind: "VerticalPodAutoscaler", metadata: meta("vpa"), spec: { targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "x" }, updatePolicy: { updateMode: "Off" } } },
        broken: { apiVersion: "autoscaling.k8s.io/v1", kind: "VerticalPodAutoscaler", metadata: meta("vpa"), spec: { targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "x" }, updatePolicy: { updateMode: "Sometimes" } } },
        refusal: /spec\.updatePolicy\.updateMode: Unsupported value: "Sometimes"/,
    },
    {
        what: "VolumeSnapshot (CSI snapshot API)",
        valid: { apiVersion: "snapshot.storage.k8s.io/v1", kind: "VolumeSnapshot", metadata: meta("vs"), spec: { source: { persistentVolumeClaimName: "data" } } },
        // Exactly one of the two sources is allowed (a CEL rule of the real CRD).
        broken: { apiVersion: "snapshot.storage.k8s.io/v1", kind: "VolumeSnapshot", metadata: meta("vs"), spec: { source: { persistentVolumeClaimName: "data", volumeSnapshotContentName: "c" } } },
        refusal: /exactly one of volumeSnapshotContentName and persistentVolumeClaimName/,
    },
    {
        what: "PeerAuthentication (Istio security)",
        valid: { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: meta("pa"), spec: { mtls: { mode: "STRICT" } } },
        broken: { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: meta("pa"), spec: { mtls: { mode: "ALWAYS" } } },
        refusal: /spec\.mtls\.mode: Unsupported value: "ALWAYS"/,
    },
    {
        what: "AuthorizationPolicy (Istio security)",
        valid: { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: meta("ap"), spec: { action: "ALLOW", rules: [{ from: [{ source: { namespaces: ["default"] } }] }] } },
        broken: { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: meta("ap"), spec: { action: "PERMIT", rules: [{ from: [{ source: { namespaces: ["default"] } }] }] } },
        refusal: /spec\.action: Unsupported value: "PERMIT"/,
    },
    {
        what: "DestinationRule (Istio networking)",
        valid: { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: meta("dr"), spec: { host: "api", trafficPolicy: { loadBalancer: { simple: "LEAST_REQUEST" } } } },
        broken: { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: meta("dr"), spec: { trafficPolicy: { loadBalancer: { simple: "LEAST_REQUEST" } } } },
        refusal: /spec\.host: Required value/,
    },
];

describe("live: the third-party CRDs are the real schemas", () => {
    const c = () => clusters.test;
    for (const t of cases) {
        it(`${t.what}: admits a valid object and refuses one broken field`, async () => {
            const out = await kubectlCreate(c(), t.valid, "--dry-run=server");
            assert.match(out, /created \(server dry run\)/);
            const refused = await kubectlCreate(c(), t.broken, "--dry-run=server").then(
                (o) => assert.fail(`the broken ${t.what} was admitted: ${o}`),
                (e) => String(e.stderr ?? e.message),
            );
            assert.match(refused, t.refusal);
        });
    }
});
