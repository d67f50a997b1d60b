/**
 * Observability (opt-in per stack): ServiceMonitors for every component with metrics,
 * one PrometheusRule (the catalogue in alert-rules.ts), and Grafana dashboards
 * (dashboards.ts) as a ConfigMap for the Grafana sidecar. Needs the prometheus-operator
 * CRDs in the cluster: they are read first, so a missing CRD fails the preview before
 * anything is created.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alertRules, ruleScope } from "./alert-rules";
import { dashboards } from "./dashboards";
import { PEERS_SERVICE_LABEL, storeSecretName } from "./datastores/store";
import { recommendedLabels, selectorLabels } from "./labels";
import { PlatformModel, StoreKind } from "./model";
import { NamespaceRef } from "./namespace";

export interface ObservabilityArgs {
    model: PlatformModel;
    namespace: NamespaceRef;
}

export interface ScrapeTarget {
    name: string;
    port: string;
    path: string;
    /** Labels of the one Service the ServiceMonitor selects. */
    selector: Record<string, string>;
    /** Secret key the scrape sends as a bearer token. */
    bearer?: { secret: string; key: string };
}

/**
 * Where each platform store serves metrics. Qdrant answers /metrics only with its API key
 * (401 otherwise); Redis through its exporter sidecar (datastores/index.ts); Neo4j's
 * endpoint exists in its Enterprise edition only.
 */
const STORE_METRICS: Record<StoreKind, { port: string; path: string; bearerKey?: string }> = {
    redis: { port: "metrics", path: "/metrics" },
    postgres: { port: "metrics", path: "/metrics" },
    qdrant: { port: "http", path: "/metrics", bearerKey: "api-key" },
    neo4j: { port: "metrics", path: "/metrics" },
};

/** Neo4j images that serve Prometheus metrics: the Enterprise edition's. */
export const NEO4J_WITH_METRICS = /enterprise/;

/** Pure: what to scrape, from the model. */
export function scrapeTargets(m: PlatformModel): ScrapeTarget[] {
    const workload = (name: string) => selectorLabels({ name, instance: m.namespace });
    const targets: ScrapeTarget[] = [{ name: m.server.name, port: "http", path: "/metrics", selector: workload(m.server.name) }];
    for (const s of m.services) {
        if (s.metricsPort) targets.push({ name: s.name, port: s.metricsPort === s.port ? "http" : "metrics", path: s.metricsPath, selector: workload(s.name) });
    }
    for (const store of m.stores) {
        // Neo4j's Prometheus endpoint is an Enterprise feature: on another image it never
        // answers, and a target that is always down is noise (its health is alerted from
        // pod readiness instead, alert-rules.ts).
        if (store.kind === "neo4j" && !NEO4J_WITH_METRICS.test(store.image)) continue;
        // The peers Service: every member, ready or not, so a member that stops answering
        // reports down instead of dropping out of the scrape (the client Service drops it).
        const { port, path, bearerKey } = STORE_METRICS[store.kind];
        targets.push({
            name: store.name,
            port,
            path,
            selector: { ...workload(store.name), ...PEERS_SERVICE_LABEL },
            ...(bearerKey ? { bearer: { secret: storeSecretName(store), key: bearerKey } } : {}),
        });
    }
    return targets;
}

/**
 * `job` is the component's name (not its Service's: a store is scraped through
 * `<store>-peers`), and every series carries the Service's component, which the
 * per-kind alerts select on.
 */
export function serviceMonitorSpec(target: ScrapeTarget, namespace: string, interval: string) {
    return {
        jobLabel: "app.kubernetes.io/name",
        selector: { matchLabels: target.selector },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [
            {
                port: target.port,
                path: target.path,
                interval,
                relabelings: [{ action: "replace", sourceLabels: ["__meta_kubernetes_service_label_app_kubernetes_io_component"], targetLabel: "component" }],
                ...(target.bearer ? { authorization: { type: "Bearer", credentials: { name: target.bearer.secret, key: target.bearer.key } } } : {}),
            },
        ],
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
                        spec: serviceMonitorSpec(target, ns, m.observability.scrapeInterval),
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
                spec: { groups: alertRules(ns, ruleScope(m)) },
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
