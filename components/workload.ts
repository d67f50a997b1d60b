/**
 * Workload: one stateless service — ServiceAccount (no token automount), Deployment,
 * Service, and optionally an autoscaling/v2 HPA and a policy/v1 PDB. Used for the
 * platform server, the tenant log server and auth service, and every extra service.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_AWAIT_ANNOTATIONS } from "./awaits";
import { accessLabel, recommendedLabels, selectorLabels } from "./labels";
import { VpaModel, WorkloadModel } from "./model";
import { NamespaceRef } from "./namespace";
import { checkovExceptions } from "./checkov-exceptions";
import { SecurePodArgs, securePodSpec, spreadPlacement, withTenantPool } from "./podspec";

export interface WorkloadArgs {
    /** Namespace to deploy into; objects wait for its creation. */
    namespace: NamespaceRef;
    /** The resolved service: image, port, replicas or autoscaling, resources, probes. */
    spec: WorkloadModel;
    /** Tenant the workload belongs to; adds the `neurallog.io/tenant-id` label. */
    tenantId?: string;
    /** Resources the pods need before they can start (e.g. the Secret they read). */
    dependsOn?: pulumi.Resource[];
}

/** Scale up fast, scale down conservatively (MLCF deployment summary). */
export const HPA_BEHAVIOR: k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerBehavior = {
    scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [
            { type: "Percent", value: 100, periodSeconds: 30 },
            { type: "Pods", value: 4, periodSeconds: 30 },
        ],
    },
    scaleDown: {
        stabilizationWindowSeconds: 300,
        selectPolicy: "Min",
        policies: [
            { type: "Percent", value: 50, periodSeconds: 60 },
            { type: "Pods", value: 2, periodSeconds: 60 },
        ],
    },
};

/** Pure: the pod template of a workload, and the checkov exceptions its Deployment carries. */
export function workloadPodTemplate(spec: WorkloadModel, namespace: string, serviceAccountName: pulumi.Input<string>, tenantId?: string) {
    const instance = namespace;
    const labels = {
        ...recommendedLabels({ name: spec.name, instance, component: spec.component, tenantId }),
        ...Object.fromEntries(spec.accessTo.map((s) => [accessLabel(s), "true"])),
    };
    const httpProbe = (path: string | undefined, initialDelaySeconds: number, periodSeconds: number) =>
        path
            ? { httpGet: { path, port: "http" }, initialDelaySeconds, periodSeconds, timeoutSeconds: 5, failureThreshold: 3 }
            : { tcpSocket: { port: "http" }, initialDelaySeconds, periodSeconds, timeoutSeconds: 5, failureThreshold: 3 };
    const ports: Record<string, number> = { http: spec.port };
    if (spec.metricsPort && spec.metricsPort !== spec.port) ports.metrics = spec.metricsPort;
    const placement = spreadPlacement(selectorLabels({ name: spec.name, instance }));
    const pod: SecurePodArgs = {
        serviceAccountName,
        ...(spec.tenantPool ? withTenantPool(placement) : placement),
        containers: [
            {
                name: spec.component,
                image: spec.image,
                ports,
                env: spec.env,
                resources: spec.resources,
                // Seed probe timings: liveness 15s/20s, readiness 5s/10s.
                livenessProbe: httpProbe(spec.healthPath, 15, 20),
                readinessProbe: httpProbe(spec.healthPath, 5, 10),
                startupProbe: spec.startupProbe ? { ...httpProbe(spec.healthPath, 0, 5), failureThreshold: 30 } : undefined,
            },
        ],
    };
    return { template: { metadata: { labels }, spec: securePodSpec(pod) }, annotations: checkovExceptions(pod) };
}

/**
 * Pure: the VerticalPodAutoscaler spec for a workload's Deployment. Bounds apply to its
 * one container; "Off" (the default) writes recommendations into status and changes nothing.
 */
export function vpaSpec(spec: Pick<WorkloadModel, "name" | "component">, vpa: VpaModel) {
    const bound = (b: { cpu?: string; memory?: string }) => (b.cpu || b.memory ? { ...b } : undefined);
    return {
        targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: spec.name },
        updatePolicy: { updateMode: vpa.updateMode },
        resourcePolicy: {
            containerPolicies: [
                {
                    containerName: spec.component,
                    controlledResources: [...vpa.controlledResources],
                    // Requests only: limits stay the stack's, so the quota arithmetic in config.ts holds.
                    controlledValues: "RequestsOnly",
                    minAllowed: bound(vpa.minAllowed),
                    maxAllowed: bound(vpa.maxAllowed),
                },
            ],
        },
    };
}

export class Workload extends pulumi.ComponentResource {
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;
    public readonly hpa?: k8s.autoscaling.v2.HorizontalPodAutoscaler;
    public readonly pdb?: k8s.policy.v1.PodDisruptionBudget;
    public readonly vpa?: k8s.apiextensions.CustomResource;
    /** In-cluster address, `http://<name>.<namespace>:<port>`. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:workload:Workload", name, {}, opts);
        const { spec, tenantId } = args;
        const parent = { parent: this };
        const namespace = args.namespace.output;
        const labels = recommendedLabels({ name: spec.name, instance: args.namespace.name, component: spec.component, tenantId });
        const selector = selectorLabels({ name: spec.name, instance: args.namespace.name });

        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name: spec.name, namespace, labels }, automountServiceAccountToken: false },
            parent,
        );

        const pod = workloadPodTemplate(spec, args.namespace.name, this.serviceAccount.metadata.name, tenantId);
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name: spec.name, namespace, labels, annotations: pod.annotations },
                spec: {
                    // An HPA owns the replica count; leaving it unset avoids a perpetual diff.
                    replicas: spec.autoscaling ? undefined : spec.replicas,
                    revisionHistoryLimit: 5,
                    selector: { matchLabels: selector },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                    template: pod.template,
                },
            },
            { ...parent, dependsOn: args.dependsOn },
        );

        const ports = [{ name: "http", port: spec.port, targetPort: "http", protocol: "TCP" }];
        if (spec.metricsPort && spec.metricsPort !== spec.port) {
            ports.push({ name: "metrics", port: spec.metricsPort, targetPort: "metrics", protocol: "TCP" });
        }
        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            { metadata: { name: spec.name, namespace, labels, annotations: { ...SERVICE_AWAIT_ANNOTATIONS } }, spec: { type: "ClusterIP", selector, ports } },
            parent,
        );

        if (spec.autoscaling) {
            const metrics: k8s.types.input.autoscaling.v2.MetricSpec[] = [
                { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: spec.autoscaling.targetCPUUtilization } } },
            ];
            if (spec.autoscaling.targetMemoryUtilization) {
                metrics.push({
                    type: "Resource",
                    resource: { name: "memory", target: { type: "Utilization", averageUtilization: spec.autoscaling.targetMemoryUtilization } },
                });
            }
            this.hpa = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                `${name}-hpa`,
                {
                    metadata: { name: spec.name, namespace, labels },
                    spec: {
                        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: this.deployment.metadata.name },
                        minReplicas: spec.autoscaling.minReplicas,
                        maxReplicas: spec.autoscaling.maxReplicas,
                        metrics,
                        behavior: HPA_BEHAVIOR,
                    },
                },
                parent,
            );
        }

        if (spec.pdb) {
            this.pdb = new k8s.policy.v1.PodDisruptionBudget(
                `${name}-pdb`,
                { metadata: { name: spec.name, namespace, labels }, spec: { minAvailable: spec.pdb.minAvailable, selector: { matchLabels: selector } } },
                parent,
            );
        }

        if (spec.vpa) {
            this.vpa = new k8s.apiextensions.CustomResource(
                `${name}-vpa`,
                {
                    apiVersion: "autoscaling.k8s.io/v1",
                    kind: "VerticalPodAutoscaler",
                    metadata: { name: spec.name, namespace, labels },
                    spec: vpaSpec(spec, spec.vpa),
                },
                parent,
            );
        }

        this.url = pulumi.interpolate`http://${this.service.metadata.name}.${namespace}:${spec.port}`;
        this.registerOutputs({
            serviceAccount: this.serviceAccount,
            deployment: this.deployment,
            service: this.service,
            hpa: this.hpa,
            pdb: this.pdb,
            vpa: this.vpa,
            url: this.url,
        });
    }
}
