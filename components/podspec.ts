/**
 * The one builder of secure pod specs. Every container the program creates comes from
 * here, so the defaults (non-root, read-only root, no privilege escalation, no
 * capabilities, RuntimeDefault seccomp, requests and limits, no token automount) hold
 * everywhere; an exception must be asked for by name.
 */
import * as k8s from "@pulumi/kubernetes";
import { createHash } from "crypto";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import { hasDigest } from "./checkov-exceptions";
import { EnvVar, ResourceRequirements } from "./model";

type PodSpec = k8s.types.input.core.v1.PodSpec;

export interface SecureContainerArgs {
    name: string;
    image: string;
    /** Named ports, e.g. `{ http: 3030, metrics: 9090 }`. */
    ports?: Record<string, number>;
    env?: EnvVar[];
    resources: ResourceRequirements;
    command?: string[];
    args?: string[];
    volumeMounts?: k8s.types.input.core.v1.VolumeMount[];
    livenessProbe?: k8s.types.input.core.v1.Probe;
    readinessProbe?: k8s.types.input.core.v1.Probe;
    startupProbe?: k8s.types.input.core.v1.Probe;
    /**
     * Opt-out for images that must write outside their volumes.
     * @default true
     */
    readOnlyRootFilesystem?: boolean;
}

export interface SecurePodArgs {
    containers: SecureContainerArgs[];
    volumes?: k8s.types.input.core.v1.Volume[];
    serviceAccountName?: pulumi.Input<string>;
    /** Numeric user the image runs as; numeric so `runAsNonRoot` can be verified. @default 10001 */
    runAsUser?: number;
    fsGroup?: number;
    affinity?: k8s.types.input.core.v1.Affinity;
    tolerations?: k8s.types.input.core.v1.Toleration[];
    topologySpreadConstraints?: k8s.types.input.core.v1.TopologySpreadConstraint[];
    terminationGracePeriodSeconds?: number;
    /** Jobs must say "OnFailure" or "Never". @default "Always" (the API's default) */
    restartPolicy?: "Always" | "OnFailure" | "Never";
}

export const TMP_VOLUME = "tmp-volume";

export function secureContainer(c: SecureContainerArgs): kx.types.Container {
    return {
        name: c.name,
        image: c.image,
        // A tag can be moved to other content: the node checks it at every start. A digest cannot.
        imagePullPolicy: hasDigest(c.image) ? "IfNotPresent" : "Always",
        command: c.command,
        args: c.args,
        ports: c.ports,
        env: c.env ?? [],
        resources: c.resources,
        livenessProbe: c.livenessProbe,
        readinessProbe: c.readinessProbe,
        startupProbe: c.startupProbe,
        // Every container gets a writable /tmp, because the root filesystem is read-only.
        volumeMounts: [{ name: TMP_VOLUME, mountPath: "/tmp" }, ...(c.volumeMounts ?? [])],
        securityContext: {
            runAsNonRoot: true,
            readOnlyRootFilesystem: c.readOnlyRootFilesystem ?? true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
    };
}

/** A pod spec with the secure defaults, built through kubernetesx' PodBuilder. */
export function securePodSpec(a: SecurePodArgs): pulumi.Output<PodSpec> {
    const runAsUser = a.runAsUser ?? 10001;
    const spec: kx.types.PodSpec = {
        serviceAccountName: a.serviceAccountName,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: {
            runAsNonRoot: true,
            runAsUser,
            runAsGroup: runAsUser,
            fsGroup: a.fsGroup ?? runAsUser,
            seccompProfile: { type: "RuntimeDefault" },
        },
        affinity: a.affinity,
        tolerations: a.tolerations,
        topologySpreadConstraints: a.topologySpreadConstraints,
        terminationGracePeriodSeconds: a.terminationGracePeriodSeconds,
        restartPolicy: a.restartPolicy,
        containers: a.containers.map(secureContainer),
        volumes: [{ name: TMP_VOLUME, emptyDir: { sizeLimit: "256Mi" } }, ...(a.volumes ?? [])],
    };
    return new kx.PodBuilder(spec).podSpec;
}

/** Prefer spreading replicas over hosts and zones; preferred, so a rolling update's surge pod always fits. */
export function spreadPlacement(selector: Record<string, string>): Pick<SecurePodArgs, "affinity" | "topologySpreadConstraints"> {
    return {
        affinity: {
            podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: "kubernetes.io/hostname" } },
                ],
            },
        },
        topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
        ],
    };
}

/** Tenant pods may use the tainted tenant-workload pool (NeuralLog guide's node pools) and prefer it. */
export const TENANT_POOL_TOLERATIONS: k8s.types.input.core.v1.Toleration[] = [
    { key: "neurallog.io/tenant-workload", operator: "Equal", value: "true", effect: "NoSchedule" },
];
export const TENANT_POOL_AFFINITY: k8s.types.input.core.v1.NodeAffinity = {
    preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 50, preference: { matchExpressions: [{ key: "neurallog.io/node-type", operator: "In", values: ["tenant-workload"] }] } },
    ],
};

export function withTenantPool(p: Pick<SecurePodArgs, "affinity" | "topologySpreadConstraints">): Pick<SecurePodArgs, "affinity" | "topologySpreadConstraints" | "tolerations"> {
    return { ...p, affinity: { ...p.affinity, nodeAffinity: TENANT_POOL_AFFINITY }, tolerations: TENANT_POOL_TOLERATIONS };
}

/** Stable checksum of configuration content, put on the pod template so a change rolls the pods. */
export function checksum(content: unknown): string {
    return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}
