/**
 * Grafana dashboards as plain data, for the Grafana sidecar (observability.ts puts them
 * in a ConfigMap labelled `grafana_dashboard: "1"`): the four the Aquaculture layout
 * names (Platform Overview, Database Performance, ML Model Performance, Business
 * Metrics), tenant quota use, and one per plan of the catalogue.
 *
 * Queries are plain PromQL (no Grafana variables inside them) so tests can check each
 * with promtool; the data source is the one template variable. The per-plan dashboards
 * select tenants by their namespace's `neurallog.io/plan` label, which kube-state-metrics
 * exports only when allowed (`--metric-labels-allowlist=namespaces=[neurallog.io/plan]`);
 * listing the plan's tenants here instead would rewrite a shared object at every onboarding.
 */
import { createHash } from "crypto";
import { TENANT_NAMESPACE_PREFIX } from "./config-schema";
import { PLAN_CATALOGUE, PLAN_IDS, PlanId } from "./plans";

export const GRAFANA_SCHEMA_VERSION = 39;
/** Grafana refuses longer uids. */
export const MAX_UID_LENGTH = 40;
const GRID_COLUMNS = 24;
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

interface Query {
    expr: string;
    legend?: string;
}

interface PanelSpec {
    title: string;
    queries: Query[];
    unit?: string;
    type?: "timeseries" | "stat";
    /** Columns of the 24-column grid. @default 12 (6 for a stat) */
    width?: number;
    description?: string;
}

export interface GrafanaPanel {
    id: number;
    type: string;
    title: string;
    description?: string;
    datasource: typeof DATASOURCE;
    gridPos: { x: number; y: number; w: number; h: number };
    fieldConfig: { defaults: { unit: string }; overrides: unknown[] };
    options: Record<string, unknown>;
    targets: { refId: string; datasource: typeof DATASOURCE; expr: string; legendFormat?: string }[];
}

export interface GrafanaDashboard {
    uid: string;
    title: string;
    description: string;
    tags: string[];
    schemaVersion: number;
    version: number;
    editable: boolean;
    time: { from: string; to: string };
    refresh: string;
    templating: { list: Record<string, unknown>[] };
    panels: GrafanaPanel[];
}

/**
 * `<slug>-<hash of namespace>`: unique per stack on a shared Grafana, and within
 * Grafana's 40 characters for any namespace (up to 63).
 */
export function dashboardUid(slug: string, namespace: string): string {
    return `${slug}-${createHash("sha256").update(namespace).digest("hex").slice(0, 8)}`;
}

/** Left to right in rows; a panel that does not fit the row starts the next one. */
function layout(specs: PanelSpec[]): GrafanaPanel[] {
    let x = 0;
    let y = 0;
    const height = 8;
    return specs.map((s, i) => {
        const type = s.type ?? "timeseries";
        const w = Math.min(s.width ?? (type === "stat" ? 6 : 12), GRID_COLUMNS);
        if (x + w > GRID_COLUMNS) {
            x = 0;
            y += height;
        }
        const panel: GrafanaPanel = {
            id: i + 1,
            type,
            title: s.title,
            ...(s.description ? { description: s.description } : {}),
            datasource: DATASOURCE,
            gridPos: { x, y, w, h: height },
            fieldConfig: { defaults: { unit: s.unit ?? "short" }, overrides: [] },
            options: type === "stat" ? { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false } } : { legend: { displayMode: "list", placement: "bottom" } },
            targets: s.queries.map((q, j) => ({
                refId: String.fromCharCode(65 + j),
                datasource: DATASOURCE,
                expr: q.expr,
                ...(q.legend ? { legendFormat: q.legend } : {}),
            })),
        };
        x += w;
        return panel;
    });
}

function dashboard(slug: string, title: string, namespace: string, description: string, specs: PanelSpec[]): GrafanaDashboard {
    return {
        uid: dashboardUid(slug, namespace),
        title: `${title} (${namespace})`,
        description,
        tags: ["neurallog", namespace],
        schemaVersion: GRAFANA_SCHEMA_VERSION,
        version: 1,
        editable: false,
        time: { from: "now-6h", to: "now" },
        refresh: "30s",
        templating: {
            list: [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus", current: {}, hide: 0, refresh: 1, regex: "", options: [] }],
        },
        panels: layout(specs),
    };
}

const QUOTA_RESOURCES = ["requests.cpu", "requests.memory", "requests.storage", "pods"] as const;

/** Pure: every dashboard, by ConfigMap key. */
export function dashboards(namespace: string): Record<string, GrafanaDashboard> {
    const ns = `namespace="${namespace}"`;
    const tenantNs = `namespace=~"${TENANT_NAMESPACE_PREFIX}.*"`;
    const rate5m = (metric: string, selector = ns) => `rate(${metric}{${selector}}[5m])`;
    const quotaUse = (resource: string) =>
        `max by (namespace) (kube_resourcequota{${tenantNs},resource="${resource}",type="used"} / ignoring (type) kube_resourcequota{${tenantNs},resource="${resource}",type="hard"})`;
    const onPlan = (plan: PlanId) => `max by (namespace) (kube_namespace_labels{${tenantNs},label_neurallog_io_plan="${plan}"})`;
    const redisLookups = `sum by (pod) (${rate5m("redis_keyspace_hits_total")}) + sum by (pod) (${rate5m("redis_keyspace_misses_total")})`;
    const celeryFailed = `sum by (name) (rate(celery_task_failed_total{${ns}}[10m]))`;
    const inference = (q: number) => ({
        expr: `histogram_quantile(${q}, sum by (job, le) (${rate5m("ml_inference_duration_seconds_bucket")}))`,
        legend: `p${Math.round(q * 100)} {{job}}`,
    });

    const all: Record<string, GrafanaDashboard> = {
        "platform-overview.json": dashboard("neurallog-platform-overview", "NeuralLog Platform Overview", namespace, "Traffic, errors, latency and saturation of every service in the platform namespace.", [
            { title: "Request rate", unit: "reqps", queries: [{ expr: `sum by (job) (${rate5m("http_requests_total")})`, legend: "{{job}}" }] },
            {
                title: "Error ratio (5xx)",
                unit: "percentunit",
                queries: [{ expr: `sum by (job) (${rate5m("http_requests_total", `${ns},status=~"5.."`)}) / sum by (job) (${rate5m("http_requests_total")})`, legend: "{{job}}" }],
            },
            { title: "p95 latency", unit: "s", queries: [{ expr: `histogram_quantile(0.95, sum by (job, le) (${rate5m("http_request_duration_seconds_bucket")}))`, legend: "{{job}}" }] },
            { title: "Available replicas", queries: [{ expr: `max by (deployment) (kube_deployment_status_replicas_available{${ns}})`, legend: "{{deployment}}" }] },
            { title: "Targets up by component", queries: [{ expr: `sum by (component) (up{${ns}})`, legend: "{{component}}" }] },
            { title: "Firing alerts", queries: [{ expr: `sum by (alertname, severity) (ALERTS{${ns},alertstate="firing"})`, legend: "{{alertname}} ({{severity}})" }] },
            { title: "Memory by pod", unit: "bytes", queries: [{ expr: `sum by (pod) (container_memory_working_set_bytes{${ns},container!=""})`, legend: "{{pod}}" }] },
            { title: "CPU by pod", unit: "short", queries: [{ expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${ns},container!=""}[5m]))`, legend: "{{pod}}" }] },
            { title: "Container restarts (15m)", queries: [{ expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total{${ns}}[15m]))`, legend: "{{pod}}" }] },
        ]),
        "database-performance.json": dashboard("neurallog-database-performance", "NeuralLog Database Performance", namespace, "PostgreSQL (postgres_exporter), Redis (redis_exporter), store members and data volumes.", [
            { title: "PostgreSQL up", type: "stat", queries: [{ expr: `min(pg_up{${ns}})` }] },
            { title: "Redis up", type: "stat", queries: [{ expr: `min(redis_up{${ns}})` }] },
            { title: "Store members ready", type: "stat", width: 12, queries: [{ expr: `sum by (statefulset) (kube_statefulset_status_replicas_ready{${ns}})`, legend: "{{statefulset}}" }] },
            {
                title: "PostgreSQL connections / max_connections",
                unit: "percentunit",
                queries: [{ expr: `sum by (pod) (pg_stat_database_numbackends{${ns}}) / max by (pod) (pg_settings_max_connections{${ns}})`, legend: "{{pod}}" }],
            },
            { title: "PostgreSQL backends by database", queries: [{ expr: `sum by (datname) (pg_stat_database_numbackends{${ns}})`, legend: "{{datname}}" }] },
            { title: "PostgreSQL replication lag", unit: "s", queries: [{ expr: `max by (pod) (pg_replication_lag_seconds{${ns}})`, legend: "{{pod}}" }] },
            { title: "PostgreSQL deadlocks", unit: "short", queries: [{ expr: `sum by (datname) (${rate5m("pg_stat_database_deadlocks")})`, legend: "{{datname}}" }] },
            {
                title: "Redis memory / maxmemory",
                unit: "percentunit",
                queries: [{ expr: `max by (pod) (redis_memory_used_bytes{${ns}} / (redis_memory_max_bytes{${ns}} > 0))`, legend: "{{pod}}" }],
            },
            { title: "Redis hit ratio", unit: "percentunit", queries: [{ expr: `sum by (pod) (${rate5m("redis_keyspace_hits_total")}) / (${redisLookups})`, legend: "{{pod}}" }] },
            { title: "Redis evictions", unit: "short", queries: [{ expr: `sum by (pod) (${rate5m("redis_evicted_keys_total")})`, legend: "{{pod}}" }] },
            { title: "Redis connected clients", queries: [{ expr: `max by (pod) (redis_connected_clients{${ns}})`, legend: "{{pod}}" }] },
            {
                title: "Data volumes used",
                unit: "percentunit",
                queries: [
                    {
                        expr: `1 - max by (persistentvolumeclaim) (kubelet_volume_stats_available_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}})`,
                        legend: "{{persistentvolumeclaim}}",
                    },
                ],
            },
            {
                title: "Store memory / limit",
                unit: "percentunit",
                queries: [
                    {
                        expr: `max by (pod) (container_memory_working_set_bytes{${ns},pod=~"(qdrant|neo4j|postgres|redis)-[0-9]+",container!=""}) / on (pod) max by (pod) (kube_pod_container_resource_limits{${ns},resource="memory",pod=~"(qdrant|neo4j|postgres|redis)-[0-9]+"})`,
                        legend: "{{pod}}",
                    },
                ],
            },
        ]),
        "ml-model-performance.json": dashboard("neurallog-ml-performance", "NeuralLog ML Model Performance", namespace, "Inference latency and prediction outcomes of the ML service, and the Celery workers behind it.", [
            { title: "Inference latency", unit: "s", queries: [inference(0.5), inference(0.95), inference(0.99)] },
            { title: "Predictions by status", unit: "short", queries: [{ expr: `sum by (status) (${rate5m("ml_predictions_total")})`, legend: "{{status}}" }] },
            {
                title: "Prediction failure ratio",
                unit: "percentunit",
                queries: [{ expr: `sum by (job) (${rate5m("ml_predictions_total", `${ns},status="error"`)}) / sum by (job) (${rate5m("ml_predictions_total")})`, legend: "{{job}}" }],
            },
            { title: "Since last successful prediction", unit: "s", queries: [{ expr: `time() - max by (job) (ml_last_successful_prediction_timestamp_seconds{${ns}})`, legend: "{{job}}" }] },
            { title: "ML targets up", type: "stat", queries: [{ expr: `sum(up{${ns},component="ml"})` }] },
            { title: "Celery workers up", type: "stat", queries: [{ expr: `sum(celery_worker_up{${ns}})` }] },
            { title: "Celery queue length", queries: [{ expr: `max by (queue_name) (celery_queue_length{${ns}})`, legend: "{{queue_name}}" }] },
            {
                title: "Celery task failure ratio",
                unit: "percentunit",
                queries: [
                    {
                        expr: `${celeryFailed} / (${celeryFailed} + (sum by (name) (rate(celery_task_succeeded_total{${ns}}[10m])) or ${celeryFailed} * 0))`,
                        legend: "{{name}}",
                    },
                ],
            },
        ]),
        "business-metrics.json": dashboard("neurallog-business-metrics", "NeuralLog Business Metrics", namespace, "Log ingestion, predictions served and tenants: the KPIs the business alerts watch.", [
            {
                title: "Logs ingested per second, today and yesterday",
                unit: "short",
                queries: [
                    { expr: `sum(${rate5m("neurallog_logs_ingested_total")})`, legend: "now" },
                    { expr: `sum(rate(neurallog_logs_ingested_total{${ns}}[5m] offset 1d))`, legend: "1 day ago" },
                ],
            },
            { title: "Since last successful ingest", unit: "s", queries: [{ expr: `time() - max(neurallog_ingest_last_success_timestamp_seconds{${ns}})` }] },
            { title: "Successful predictions per second", unit: "short", queries: [{ expr: `sum(${rate5m("ml_predictions_total", `${ns},status="success"`)})` }] },
            { title: "Tasks processed per second", unit: "short", queries: [{ expr: `sum(${rate5m("celery_task_succeeded_total")})` }] },
            { title: "Tenants by plan", type: "stat", width: 12, queries: [{ expr: `count by (label_neurallog_io_plan) (kube_namespace_labels{${tenantNs}})`, legend: "{{label_neurallog_io_plan}}" }] },
            {
                title: "Tenants with a server available",
                type: "stat",
                width: 12,
                queries: [{ expr: `count(max by (namespace) (kube_deployment_status_replicas_available{${tenantNs},deployment="neurallog-server"}) > 0)` }],
            },
        ]),
        "tenant-quotas.json": dashboard(
            "neurallog-tenant-quotas",
            "NeuralLog tenant quota use",
            namespace,
            "Quota used / hard for every tenant namespace.",
            QUOTA_RESOURCES.map((resource) => ({ title: `${resource} used / hard`, unit: "percentunit", queries: [{ expr: quotaUse(resource), legend: "{{namespace}}" }] })),
        ),
    };
    for (const plan of PLAN_IDS) {
        const quota = PLAN_CATALOGUE[plan].quota;
        all[`tenant-plan-${plan}.json`] = dashboard(
            `neurallog-plan-${plan}`,
            `NeuralLog tenants on the ${plan} plan`,
            namespace,
            `Tenants whose namespace is labelled neurallog.io/plan=${plan}. The plan allows ${QUOTA_RESOURCES.map((r) => `${r} ${quota[r]}`).join(", ")}; a tenant may have lowered its own quota, and each ratio is against the tenant's own.`,
            [
                ...QUOTA_RESOURCES.map(
                    (resource): PanelSpec => ({
                        title: `${resource} used / hard (plan: ${quota[resource]})`,
                        unit: "percentunit",
                        queries: [{ expr: `${quotaUse(resource)} * on (namespace) ${onPlan(plan)}`, legend: "{{namespace}}" }],
                    }),
                ),
                {
                    title: "Server replicas available",
                    queries: [
                        {
                            expr: `max by (namespace) (kube_deployment_status_replicas_available{${tenantNs},deployment="neurallog-server"}) * on (namespace) ${onPlan(plan)}`,
                            legend: "{{namespace}}",
                        },
                    ],
                },
                {
                    title: "Redis members ready",
                    queries: [
                        { expr: `max by (namespace) (kube_statefulset_status_replicas_ready{${tenantNs},statefulset="redis"}) * on (namespace) ${onPlan(plan)}`, legend: "{{namespace}}" },
                    ],
                },
                {
                    title: "Container restarts (15m)",
                    queries: [
                        { expr: `sum by (namespace) (increase(kube_pod_container_status_restarts_total{${tenantNs}}[15m])) * on (namespace) ${onPlan(plan)}`, legend: "{{namespace}}" },
                    ],
                },
            ],
        );
    }
    return all;
}
