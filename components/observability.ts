/**
 * Observability (opt-in per stack): ServiceMonitors for every component with metrics,
 * PrometheusRules (the MLCF summary's alerts plus tenant quota), and Grafana dashboards
 * as ConfigMaps for the Grafana sidecar. Needs the prometheus-operator CRDs in the
 * cluster: they are read first, so a missing CRD fails the preview before anything is created.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { recommendedLabels, selectorLabels } from "./labels";
import { PlatformModel } from "./model";
import { NamespaceRef } from "./namespace";

export interface ObservabilityArgs {
    model: PlatformModel;
    namespace: NamespaceRef;
}

export interface ScrapeTarget {
    name: string;
    port: string;
    path: string;
}

/** Pure: what to scrape, from the model. */
export function scrapeTargets(m: PlatformModel): ScrapeTarget[] {
    const targets: ScrapeTarget[] = [{ name: m.server.name, port: "http", path: "/metrics" }];
    for (const s of m.services) {
        if (s.metricsPort) targets.push({ name: s.name, port: s.metricsPort === s.port ? "http" : "metrics", path: s.metricsPath });
    }
    for (const store of m.stores) {
        if (store.kind === "postgres") targets.push({ name: store.name, port: "metrics", path: "/metrics" });
        if (store.kind === "qdrant") targets.push({ name: store.name, port: "http", path: "/metrics" });
        if (store.kind === "neo4j") targets.push({ name: store.name, port: "metrics", path: "/metrics" });
    }
    return targets;
}

const runbook = (alert: string) => `https://runbooks.neurallog.io/alerts/${alert.toLowerCase()}`;

/** Pure: the alert rules. Thresholds are the MLCF summary's. */
export function alertRules(namespace: string) {
    const ns = `namespace="${namespace}"`;
    const rule = (alert: string, expr: string, forDuration: string, severity: "critical" | "warning", summary: string) => ({
        alert,
        expr,
        for: forDuration,
        labels: { severity },
        annotations: { summary, description: `${summary} (namespace ${namespace})`, runbook_url: runbook(alert) },
    });
    return [
        {
            name: "neurallog.platform",
            rules: [
                rule("HighErrorRate", `sum(rate(http_requests_total{${ns},status=~"5.."}[5m])) / sum(rate(http_requests_total{${ns}}[5m])) > 0.05`, "5m", "critical", "More than 5% of requests fail"),
                rule("HighLatency", `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${ns}}[5m]))) > 1`, "10m", "warning", "p95 latency above 1s"),
                rule("LowPodAvailability", `min by (deployment) (kube_deployment_status_replicas_available{${ns}}) < 2`, "5m", "critical", "Fewer than 2 replicas available"),
                rule("HighMemoryUsage", `max by (pod) (container_memory_working_set_bytes{${ns},container!=""} / on (pod, container) kube_pod_container_resource_limits{${ns},resource="memory"}) > 0.9`, "10m", "warning", "Container above 90% of its memory limit"),
                rule("HighCPUUsage", `max by (pod) (rate(container_cpu_usage_seconds_total{${ns},container!=""}[5m]) / on (pod, container) kube_pod_container_resource_limits{${ns},resource="cpu"}) > 0.9`, "10m", "warning", "Container above 90% of its CPU limit"),
                rule("VectorDatabaseNodeDown", `up{${ns},service="qdrant"} == 0`, "2m", "critical", "A Qdrant node is down"),
                rule("GraphDatabaseNodeDown", `up{${ns},service="neo4j"} == 0`, "2m", "critical", "A Neo4j node is down"),
                rule("DatabaseMemoryPressure", `max by (pod) (container_memory_working_set_bytes{${ns},pod=~"(qdrant|neo4j|postgres|redis)-.*",container!=""} / on (pod, container) kube_pod_container_resource_limits{${ns},resource="memory"}) > 0.85`, "10m", "warning", "A database is close to its memory limit"),
            ],
        },
        {
            name: "neurallog.tenants",
            rules: [
                rule("TenantQuotaNearLimit", `max by (namespace, resource) (kube_resourcequota{namespace=~"tenant-.*",type="used"} / ignoring(type) kube_resourcequota{namespace=~"tenant-.*",type="hard"}) > 0.9`, "15m", "warning", "A tenant uses more than 90% of a quota"),
            ],
        },
    ];
}

/** Pure: Grafana dashboards (platform overview, per-tenant quota use). */
export function dashboards(namespace: string): Record<string, object> {
    const panel = (id: number, title: string, expr: string, unit = "short") => ({
        id,
        title,
        type: "timeseries",
        gridPos: { h: 8, w: 12, x: ((id - 1) % 2) * 12, y: Math.floor((id - 1) / 2) * 8 },
        fieldConfig: { defaults: { unit } },
        targets: [{ expr, refId: "A" }],
    });
    return {
        "platform-overview.json": {
            title: "NeuralLog platform overview",
            uid: `neurallog-overview-${namespace}`,
            schemaVersion: 39,
            panels: [
                panel(1, "Request rate", `sum(rate(http_requests_total{namespace="${namespace}"}[5m]))`, "reqps"),
                panel(2, "Error rate", `sum(rate(http_requests_total{namespace="${namespace}",status=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="${namespace}"}[5m]))`, "percentunit"),
                panel(3, "p95 latency", `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="${namespace}"}[5m])))`, "s"),
                panel(4, "Available pods", `sum by (deployment) (kube_deployment_status_replicas_available{namespace="${namespace}"})`),
                panel(5, "Memory", `sum by (pod) (container_memory_working_set_bytes{namespace="${namespace}",container!=""})`, "bytes"),
                panel(6, "CPU", `sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="${namespace}",container!=""}[5m]))`),
            ],
        },
        "tenant-quotas.json": {
            title: "NeuralLog tenant quota use",
            uid: `neurallog-tenants-${namespace}`,
            schemaVersion: 39,
            panels: ["requests.cpu", "requests.memory", "requests.storage", "pods"].map((resource, i) =>
                panel(
                    i + 1,
                    `${resource} used / hard`,
                    `max by (namespace) (kube_resourcequota{namespace=~"tenant-.*",resource="${resource}",type="used"} / ignoring(type) kube_resourcequota{namespace=~"tenant-.*",resource="${resource}",type="hard"})`,
                    "percentunit",
                ),
            ),
        },
    };
}

export class Observability extends pulumi.ComponentResource {
    public readonly serviceMonitors: k8s.apiextensions.CustomResource[] = [];
    public readonly rules: k8s.apiextensions.CustomResource;
    public readonly dashboards?: k8s.core.v1.ConfigMap;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:observability:Observability", name, {}, opts);
        const m = args.model;
        const ns = m.namespace;
        const namespace = args.namespace.output;
        const parent = { parent: this };
        const labels = { ...recommendedLabels({ name: "neurallog", instance: ns, component: "monitoring" }), ...m.observability.selectorLabels };

        // The operator's CRDs must already exist; reading them orders every object after them.
        const crd = (crdName: string, role: string) =>
            k8s.apiextensions.v1.CustomResourceDefinition.get(`${name}-${role}-crd`, crdName, parent);
        const serviceMonitorCrd = crd("servicemonitors.monitoring.coreos.com", "servicemonitor");
        const ruleCrd = crd("prometheusrules.monitoring.coreos.com", "prometheusrule");

        for (const target of scrapeTargets(m)) {
            this.serviceMonitors.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-servicemonitor-${target.name}`,
                    {
                        apiVersion: "monitoring.coreos.com/v1",
                        kind: "ServiceMonitor",
                        metadata: { name: target.name, namespace, labels },
                        spec: {
                            selector: { matchLabels: selectorLabels({ name: target.name, instance: ns }) },
                            namespaceSelector: { matchNames: [ns] },
                            endpoints: [{ port: target.port, path: target.path, interval: m.observability.scrapeInterval }],
                        },
                    },
                    { ...parent, dependsOn: [serviceMonitorCrd] },
                ),
            );
        }
        this.rules = new k8s.apiextensions.CustomResource(
            `${name}-rules`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "neurallog-alerts", namespace, labels },
                spec: { groups: alertRules(ns) },
            },
            { ...parent, dependsOn: [ruleCrd] },
        );
        if (m.observability.dashboards) {
            this.dashboards = new k8s.core.v1.ConfigMap(
                `${name}-dashboards`,
                {
                    metadata: { name: "neurallog-dashboards", namespace, labels: { ...labels, grafana_dashboard: "1" } },
                    data: Object.fromEntries(Object.entries(dashboards(ns)).map(([file, body]) => [file, JSON.stringify(body, null, 2)])),
                },
                parent,
            );
        }
        this.registerOutputs({ serviceMonitors: this.serviceMonitors, rules: this.rules, dashboards: this.dashboards });
    }
}
