/**
 * The alert catalogue: plain data, rendered per namespace into the PrometheusRule's
 * `spec.groups` (observability.ts). Each group has a promtool unit test in
 * tests/rules/<group>.test.yaml, and tests/unit/alert-rules.test.ts fails when an alert
 * has no firing and no non-firing case there.
 *
 * Groups follow the seeds: the MLCF summary's eight alerts (`neurallog.platform`), the
 * Aquaculture layout's categories Critical / Warning / Business, and the tenants.
 * Labels on every alert:
 *   severity  critical (page now: an outage, data at risk, a resource exhausted) or warning
 *             (degradation, capacity). Business alerts are `warning`: a KPI out of bounds
 *             needs a person today, not a page at night.
 *   category  the part of the system, for routing and grouping in Alertmanager:
 *             availability, errors, latency, saturation, capacity, database, cache, queue,
 *             business (every alert of the business group).
 *
 * Metrics are what real exporters expose: kube-state-metrics, cAdvisor and kubelet volume
 * stats, postgres_exporter (pg_*), oliver006/redis_exporter (redis_*), celery-exporter on
 * the worker's metrics port (celery_*). Targets get `job` = the Service's
 * `app.kubernetes.io/name` and `component` = its `app.kubernetes.io/component`
 * (ServiceMonitors in observability.ts). The services' own metrics are this contract:
 *   http_requests_total{status}, http_request_duration_seconds (histogram)   every HTTP service
 *   neurallog_logs_ingested_total, neurallog_ingest_last_success_timestamp_seconds   server
 *   ml_inference_duration_seconds (histogram), ml_predictions_total{status="success"|"error"},
 *   ml_last_successful_prediction_timestamp_seconds                          ML service
 */
import { TENANT_NAMESPACE_PREFIX } from "./config-schema";
import { PlatformModel, StoreKind } from "./model";

export type Severity = "critical" | "warning";
export type Category = "availability" | "errors" | "latency" | "saturation" | "capacity" | "database" | "cache" | "queue" | "business";

/** One alerting rule as Prometheus reads it. */
export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: Severity; category: Category };
    annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
    name: string;
    rules: AlertRule[];
}

/**
 * What a stack runs. A rule that needs a service kind or a store is rendered only where
 * it exists: the per-kind "down" alerts fire on a missing target (absent()), which would
 * otherwise page forever in a stack without, say, an ML service.
 */
export interface RuleScope {
    /** `app.kubernetes.io/component` of the server and the services. */
    components: string[];
    stores: StoreKind[];
}

/** Every kind the catalogue knows: renders every rule. */
export const FULL_SCOPE: RuleScope = {
    components: ["server", "api", "ml", "worker"],
    stores: ["redis", "postgres", "qdrant", "neo4j"],
};

export function ruleScope(m: Pick<PlatformModel, "server" | "services" | "stores">): RuleScope {
    return { components: [m.server.component, ...m.services.map((s) => s.component)], stores: m.stores.map((s) => s.kind) };
}

export const RUNBOOK_BASE = "https://runbooks.neurallog.io/alerts/";
export const runbookUrl = (alert: string) => `${RUNBOOK_BASE}${alert.toLowerCase()}`;

interface Entry {
    alert: string;
    expr: string;
    for: string;
    severity: Severity;
    category: Category;
    summary: string;
    description: string;
    needs?: { component?: string; store?: StoreKind };
}

function catalogue(namespace: string): { name: string; entries: Entry[] }[] {
    const ns = `namespace="${namespace}"`;
    const tenantNs = `namespace=~"${TENANT_NAMESPACE_PREFIX}.*"`;
    // Container usage over its limit, both sides reduced to one series per container
    // (cAdvisor can report a container twice across a restart).
    const overLimit = (usage: string, resource: "memory" | "cpu") =>
        `${usage} / on (namespace, pod, container) max by (namespace, pod, container) (kube_pod_container_resource_limits{${ns},resource="${resource}"})`;
    const memoryUsage = (podFilter = "") =>
        `max by (namespace, pod, container) (container_memory_working_set_bytes{${ns},${podFilter}container!=""})`;
    // No instance of a kind answers its scrape, or none is left to scrape (a Service drops
    // pods that are not ready, so their targets vanish rather than report 0).
    const kindDown = (component: string) =>
        `sum by (namespace, component) (up{${ns},component="${component}"}) == 0 or absent(up{${ns},component="${component}"})`;
    const podNotReady = (statefulset: string) => `max by (namespace, pod) (kube_pod_status_ready{${ns},pod=~"${statefulset}-[0-9]+",condition="true"}) == 0`;
    const tenantLabel = (expr: string) => `label_replace(${expr}, "tenant", "$1", "namespace", "${TENANT_NAMESPACE_PREFIX}(.+)")`;
    const deploymentDown = (selector: string) =>
        `max by (namespace, deployment) (kube_deployment_status_replicas_available{${selector}}) == 0 and on (namespace, deployment) max by (namespace, deployment) (kube_deployment_spec_replicas{${selector}}) > 0`;
    const redisLookups = `sum by (namespace, pod) (rate(redis_keyspace_hits_total{${ns}}[5m])) + sum by (namespace, pod) (rate(redis_keyspace_misses_total{${ns}}[5m]))`;
    const celeryFailed = `sum by (namespace, name) (rate(celery_task_failed_total{${ns}}[10m]))`;
    const pgConnections = `sum by (namespace, pod) (pg_stat_database_numbackends{${ns}}) / max by (namespace, pod) (pg_settings_max_connections{${ns}})`;

    return [
        {
            // MLCF deployment summary: its eight alerts and thresholds.
            name: "neurallog.platform",
            entries: [
                {
                    alert: "HighErrorRate",
                    expr: `sum by (namespace, job) (rate(http_requests_total{${ns},status=~"5.."}[5m])) / sum by (namespace, job) (rate(http_requests_total{${ns}}[5m])) > 0.05`,
                    for: "5m",
                    severity: "critical",
                    category: "errors",
                    summary: "{{ $labels.job }} fails more than 5% of requests",
                    description: "{{ $labels.job }} in {{ $labels.namespace }} answered {{ $value | humanizePercentage }} of its requests with a 5xx over the last 5 minutes.",
                },
                {
                    alert: "HighLatency",
                    expr: `histogram_quantile(0.95, sum by (namespace, job, le) (rate(http_request_duration_seconds_bucket{${ns}}[5m]))) > 1`,
                    for: "10m",
                    severity: "warning",
                    category: "latency",
                    summary: "{{ $labels.job }} p95 latency above 1s",
                    description: "95% of requests to {{ $labels.job }} in {{ $labels.namespace }} take up to {{ $value | humanizeDuration }}; the budget is 1s.",
                },
                {
                    // Below two only where two or more are wanted: a one-replica Deployment is not degraded.
                    alert: "LowPodAvailability",
                    expr: `max by (namespace, deployment) (kube_deployment_status_replicas_available{${ns}}) < 2 and on (namespace, deployment) max by (namespace, deployment) (kube_deployment_spec_replicas{${ns}}) >= 2`,
                    for: "5m",
                    severity: "critical",
                    category: "availability",
                    summary: "{{ $labels.deployment }} has fewer than 2 replicas available",
                    description: "Only {{ $value }} replica(s) of {{ $labels.deployment }} in {{ $labels.namespace }} are available; it runs at least 2 to survive losing one.",
                },
                {
                    alert: "HighMemoryUsage",
                    expr: `${overLimit(memoryUsage(), "memory")} > 0.9`,
                    for: "10m",
                    severity: "warning",
                    category: "saturation",
                    summary: "{{ $labels.pod }}/{{ $labels.container }} above 90% of its memory limit",
                    description: "{{ $labels.container }} in {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit; past 100% the kernel kills it.",
                },
                {
                    alert: "HighCPUUsage",
                    expr: `${overLimit(`sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${ns},container!=""}[5m]))`, "cpu")} > 0.9`,
                    for: "10m",
                    severity: "warning",
                    category: "saturation",
                    summary: "{{ $labels.pod }}/{{ $labels.container }} above 90% of its CPU limit",
                    description: "{{ $labels.container }} in {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its CPU limit and is being throttled.",
                },
                {
                    // Readiness, not the scrape: a member that is gone or never started has no target to fail.
                    alert: "VectorDatabaseNodeDown",
                    expr: podNotReady("qdrant"),
                    for: "2m",
                    severity: "critical",
                    category: "database",
                    summary: "Qdrant member {{ $labels.pod }} is down",
                    description: "Qdrant member {{ $labels.pod }} in {{ $labels.namespace }} has not been ready for 2 minutes; its shards serve from the other members, if any.",
                    needs: { store: "qdrant" },
                },
                {
                    // Readiness: Neo4j Community (what the stacks run) has no Prometheus endpoint.
                    alert: "GraphDatabaseNodeDown",
                    expr: podNotReady("neo4j"),
                    for: "2m",
                    severity: "critical",
                    category: "database",
                    summary: "Neo4j member {{ $labels.pod }} is down",
                    description: "Neo4j member {{ $labels.pod }} in {{ $labels.namespace }} has not been ready for 2 minutes; graph queries fail.",
                    needs: { store: "neo4j" },
                },
                {
                    alert: "DatabaseMemoryPressure",
                    expr: `${overLimit(memoryUsage('pod=~"(qdrant|neo4j|postgres|redis)-[0-9]+",'), "memory")} > 0.85`,
                    for: "10m",
                    severity: "warning",
                    category: "database",
                    summary: "{{ $labels.pod }} is close to its memory limit",
                    description: "{{ $labels.container }} in {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit; a data store killed for memory drops every connection.",
                },
            ],
        },
        {
            // Aquaculture "Critical": service down, high error rates, resource exhaustion.
            name: "neurallog.critical",
            entries: [
                ...(
                    [
                        ["NeuralLogServerDown", "server", "NeuralLog server"],
                        ["APIServiceDown", "api", "API service"],
                        ["MLServiceDown", "ml", "ML inference service"],
                        ["WorkerServiceDown", "worker", "worker service"],
                    ] as const
                ).map(
                    ([alert, component, what]): Entry => ({
                        alert,
                        expr: kindDown(component),
                        for: "2m",
                        severity: "critical",
                        category: "availability",
                        summary: `No ${what} instance is up`,
                        description: `No instance of the ${what} (component ${component}) in {{ $labels.namespace }} has answered a metrics scrape for 2 minutes, or none is left to scrape.`,
                        needs: { component },
                    }),
                ),
                {
                    alert: "DeploymentUnavailable",
                    expr: deploymentDown(ns),
                    for: "5m",
                    severity: "critical",
                    category: "availability",
                    summary: "{{ $labels.deployment }} has no available replica",
                    description: "{{ $labels.deployment }} in {{ $labels.namespace }} wants replicas but none has been available for 5 minutes.",
                },
                {
                    // redis_up: the exporter runs but Redis does not answer; up: the exporter itself is gone.
                    alert: "RedisDown",
                    expr: `min by (namespace, pod) (redis_up{${ns}}) == 0 or min by (namespace, pod) (up{${ns},job="redis"}) == 0`,
                    for: "2m",
                    severity: "critical",
                    category: "cache",
                    summary: "Redis {{ $labels.pod }} is down",
                    description: "Redis {{ $labels.pod }} in {{ $labels.namespace }} has not answered its exporter for 2 minutes; the cache and the task broker are unavailable.",
                    needs: { store: "redis" },
                },
                {
                    alert: "PostgresDown",
                    expr: `min by (namespace, pod) (pg_up{${ns}}) == 0 or min by (namespace, pod) (up{${ns},job="postgres"}) == 0`,
                    for: "2m",
                    severity: "critical",
                    category: "database",
                    summary: "PostgreSQL {{ $labels.pod }} is down",
                    description: "PostgreSQL {{ $labels.pod }} in {{ $labels.namespace }} has not answered its exporter for 2 minutes.",
                    needs: { store: "postgres" },
                },
                {
                    alert: "PostgresConnectionsExhausted",
                    expr: `${pgConnections} > 0.9`,
                    for: "5m",
                    severity: "critical",
                    category: "database",
                    summary: "PostgreSQL {{ $labels.pod }} uses over 90% of max_connections",
                    description: "PostgreSQL {{ $labels.pod }} in {{ $labels.namespace }} has {{ $value | humanizePercentage }} of max_connections in use; new connections will be refused.",
                    needs: { store: "postgres" },
                },
                {
                    alert: "ContainerOOMKilled",
                    expr: `sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${ns}}[15m])) > 0 and on (namespace, pod, container) max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{${ns},reason="OOMKilled"}) == 1`,
                    for: "0m",
                    severity: "critical",
                    category: "saturation",
                    summary: "{{ $labels.pod }}/{{ $labels.container }} was killed for memory",
                    description: "{{ $labels.container }} in {{ $labels.namespace }}/{{ $labels.pod }} restarted in the last 15 minutes after the kernel killed it at its memory limit.",
                },
                {
                    alert: "DataVolumeAlmostFull",
                    expr: `min by (namespace, persistentvolumeclaim) (kubelet_volume_stats_available_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}}) < 0.05`,
                    for: "5m",
                    severity: "critical",
                    category: "capacity",
                    summary: "Volume {{ $labels.persistentvolumeclaim }} is almost full",
                    description: "Only {{ $value | humanizePercentage }} of {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} is free; grow it in the stack config (volumes grow in place).",
                },
            ],
        },
        {
            // Aquaculture "Warning": performance degradation, capacity planning.
            name: "neurallog.warning",
            entries: [
                {
                    alert: "PodCrashLooping",
                    expr: `max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${ns}}[15m])) > 3`,
                    for: "5m",
                    severity: "warning",
                    category: "availability",
                    summary: "{{ $labels.pod }}/{{ $labels.container }} keeps restarting",
                    description: "{{ $labels.container }} in {{ $labels.namespace }}/{{ $labels.pod }} restarted {{ $value | printf \"%.0f\" }} times in the last 15 minutes.",
                },
                {
                    alert: "StoreReplicasNotReady",
                    expr: `max by (namespace, statefulset) (kube_statefulset_status_replicas_ready{${ns}}) < max by (namespace, statefulset) (kube_statefulset_replicas{${ns}})`,
                    for: "10m",
                    severity: "warning",
                    category: "database",
                    summary: "{{ $labels.statefulset }} runs with members missing",
                    description: "Only {{ $value }} member(s) of {{ $labels.statefulset }} in {{ $labels.namespace }} have been ready for 10 minutes; redundancy is reduced.",
                },
                {
                    alert: "PostgresConnectionsHigh",
                    expr: `${pgConnections} > 0.8`,
                    for: "10m",
                    severity: "warning",
                    category: "database",
                    summary: "PostgreSQL {{ $labels.pod }} uses over 80% of max_connections",
                    description: "PostgreSQL {{ $labels.pod }} in {{ $labels.namespace }} has {{ $value | humanizePercentage }} of max_connections in use.",
                    needs: { store: "postgres" },
                },
                {
                    // A fifth of the seeds' 5-minute RPO, so there is time to act before it is at risk.
                    alert: "PostgresReplicationLag",
                    expr: `max by (namespace, pod) (pg_replication_lag_seconds{${ns}}) > 60`,
                    for: "5m",
                    severity: "warning",
                    category: "database",
                    summary: "PostgreSQL {{ $labels.pod }} replication lags",
                    description: "PostgreSQL replica {{ $labels.pod }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} behind its primary.",
                    needs: { store: "postgres" },
                },
                {
                    // maxmemory 0 means unlimited: no ratio to take.
                    alert: "RedisMemoryNearMax",
                    expr: `max by (namespace, pod) (redis_memory_used_bytes{${ns}} / (redis_memory_max_bytes{${ns}} > 0)) > 0.9`,
                    for: "10m",
                    severity: "warning",
                    category: "cache",
                    summary: "Redis {{ $labels.pod }} is near maxmemory",
                    description: "Redis {{ $labels.pod }} in {{ $labels.namespace }} uses {{ $value | humanizePercentage }} of maxmemory and is about to evict keys.",
                    needs: { store: "redis" },
                },
                {
                    // Only with traffic: a handful of lookups says nothing about the ratio.
                    alert: "RedisLowHitRatio",
                    expr: `sum by (namespace, pod) (rate(redis_keyspace_hits_total{${ns}}[5m])) / (${redisLookups}) < 0.8 and on (namespace, pod) (${redisLookups}) > 1`,
                    for: "15m",
                    severity: "warning",
                    category: "cache",
                    summary: "Redis {{ $labels.pod }} hit ratio below 80%",
                    description: "Only {{ $value | humanizePercentage }} of lookups on Redis {{ $labels.pod }} in {{ $labels.namespace }} find their key.",
                    needs: { store: "redis" },
                },
                {
                    // Redis is also the task broker (allkeys-lru): an eviction can drop a queued task.
                    alert: "RedisEvictingKeys",
                    expr: `max by (namespace, pod) (rate(redis_evicted_keys_total{${ns}}[5m])) > 0`,
                    for: "10m",
                    severity: "warning",
                    category: "cache",
                    summary: "Redis {{ $labels.pod }} keeps evicting keys",
                    description: "Redis {{ $labels.pod }} in {{ $labels.namespace }} has evicted {{ $value | humanize }} keys/s for 10 minutes; queued tasks may be lost. Give it more memory.",
                    needs: { store: "redis" },
                },
                {
                    alert: "RedisReplicaLinkDown",
                    expr: `min by (namespace, pod) (redis_master_link_up{${ns}}) == 0`,
                    for: "5m",
                    severity: "warning",
                    category: "cache",
                    summary: "Redis replica {{ $labels.pod }} lost its primary",
                    description: "Redis replica {{ $labels.pod }} in {{ $labels.namespace }} has had no link to its primary for 5 minutes and serves stale data.",
                    needs: { store: "redis" },
                },
                {
                    alert: "RedisTooManyConnections",
                    expr: `max by (namespace, pod) (redis_connected_clients{${ns}} / redis_config_maxclients{${ns}}) > 0.8`,
                    for: "5m",
                    severity: "warning",
                    category: "cache",
                    summary: "Redis {{ $labels.pod }} is near maxclients",
                    description: "Redis {{ $labels.pod }} in {{ $labels.namespace }} has {{ $value | humanizePercentage }} of maxclients connected.",
                    needs: { store: "redis" },
                },
                {
                    // celery-exporter's own thresholds (celery-mixin). Every worker pod reports the
                    // broker's queue length, so take one report, not their sum.
                    alert: "CeleryQueueBacklog",
                    expr: `max by (namespace, queue_name) (celery_queue_length{${ns}}) > 100`,
                    for: "20m",
                    severity: "warning",
                    category: "queue",
                    summary: "Celery queue {{ $labels.queue_name }} is backing up",
                    description: "{{ $value }} tasks wait in Celery queue {{ $labels.queue_name }} in {{ $labels.namespace }}; the workers do not keep up.",
                    needs: { component: "worker" },
                },
                {
                    // A task that never succeeded has no succeeded series: count it as 0, or the
                    // division would drop the task that fails every time.
                    alert: "CeleryTaskFailureRate",
                    expr: `${celeryFailed} / (${celeryFailed} + (sum by (namespace, name) (rate(celery_task_succeeded_total{${ns}}[10m])) or ${celeryFailed} * 0)) > 0.05`,
                    for: "5m",
                    severity: "warning",
                    category: "queue",
                    summary: "Celery task {{ $labels.name }} fails more than 5% of runs",
                    description: "{{ $value | humanizePercentage }} of runs of Celery task {{ $labels.name }} in {{ $labels.namespace }} failed over the last 10 minutes.",
                    needs: { component: "worker" },
                },
                {
                    alert: "CeleryWorkerOffline",
                    expr: `max by (namespace, hostname) (celery_worker_up{${ns}}) == 0`,
                    for: "15m",
                    severity: "warning",
                    category: "queue",
                    summary: "Celery worker {{ $labels.hostname }} is offline",
                    description: "Celery worker {{ $labels.hostname }} in {{ $labels.namespace }} has sent no heartbeat for 15 minutes.",
                    needs: { component: "worker" },
                },
            ],
        },
        {
            // Aquaculture "Business": data quality and KPI thresholds.
            name: "neurallog.business",
            entries: [
                {
                    // The MLCF p95 budget of 1s, applied to inference.
                    alert: "MLInferenceLatencyHigh",
                    expr: `histogram_quantile(0.95, sum by (namespace, job, le) (rate(ml_inference_duration_seconds_bucket{${ns}}[5m]))) > 1`,
                    for: "10m",
                    severity: "warning",
                    category: "business",
                    summary: "ML inference p95 above 1s",
                    description: "95% of inferences by {{ $labels.job }} in {{ $labels.namespace }} take up to {{ $value | humanizeDuration }}; the budget is 1s.",
                    needs: { component: "ml" },
                },
                {
                    alert: "PredictionFailureRatioHigh",
                    expr: `sum by (namespace, job) (rate(ml_predictions_total{${ns},status="error"}[10m])) / sum by (namespace, job) (rate(ml_predictions_total{${ns}}[10m])) > 0.05`,
                    for: "10m",
                    severity: "warning",
                    category: "business",
                    summary: "More than 5% of predictions fail",
                    description: "{{ $labels.job }} in {{ $labels.namespace }} failed {{ $value | humanizePercentage }} of its predictions over the last 10 minutes.",
                    needs: { component: "ml" },
                },
                {
                    alert: "PredictionsStale",
                    expr: `time() - max by (namespace, job) (ml_last_successful_prediction_timestamp_seconds{${ns}}) > 1800`,
                    for: "5m",
                    severity: "warning",
                    category: "business",
                    summary: "No successful prediction for 30 minutes",
                    description: "The last successful prediction by {{ $labels.job }} in {{ $labels.namespace }} was {{ $value | humanizeDuration }} ago; results shown to users are stale.",
                    needs: { component: "ml" },
                },
                {
                    alert: "LogIngestionStale",
                    expr: `time() - max by (namespace) (neurallog_ingest_last_success_timestamp_seconds{${ns}}) > 900`,
                    for: "5m",
                    severity: "warning",
                    category: "business",
                    summary: "No log ingested for 15 minutes",
                    description: "The last successful ingest in {{ $labels.namespace }} was {{ $value | humanizeDuration }} ago; searches and dashboards miss recent logs.",
                    needs: { component: "server" },
                },
                {
                    // Against the same hour yesterday, so the daily cycle is not an alert.
                    alert: "LogIngestionRateDrop",
                    expr: `sum by (namespace) (rate(neurallog_logs_ingested_total{${ns}}[30m])) < 0.5 * sum by (namespace) (rate(neurallog_logs_ingested_total{${ns}}[30m] offset 1d))`,
                    for: "30m",
                    severity: "warning",
                    category: "business",
                    summary: "Log ingestion dropped below half of yesterday's",
                    description: "{{ $labels.namespace }} ingests {{ $value | humanize }} logs/s, less than half of the same time yesterday; check senders and tenants.",
                    needs: { component: "server" },
                },
            ],
        },
        {
            name: "neurallog.tenants",
            entries: [
                {
                    alert: "TenantQuotaNearLimit",
                    expr: tenantLabel(
                        `max by (namespace, resource) (kube_resourcequota{${tenantNs},type="used"} / ignoring (type) kube_resourcequota{${tenantNs},type="hard"}) > 0.9`,
                    ),
                    for: "15m",
                    severity: "warning",
                    category: "capacity",
                    summary: "Tenant {{ $labels.tenant }} uses over 90% of its {{ $labels.resource }} quota",
                    description: "Tenant {{ $labels.tenant }} uses {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota; new pods will be refused at 100%. Raise the quota or move the tenant to a larger plan.",
                },
                {
                    alert: "TenantServerDown",
                    expr: tenantLabel(deploymentDown(`${tenantNs},deployment="neurallog-server"`)),
                    for: "5m",
                    severity: "critical",
                    category: "availability",
                    summary: "Tenant {{ $labels.tenant }}'s server is down",
                    description: "No replica of the NeuralLog server in {{ $labels.namespace }} has been available for 5 minutes; tenant {{ $labels.tenant }} cannot ingest or search logs.",
                },
                {
                    alert: "TenantRedisDown",
                    expr: tenantLabel(
                        `max by (namespace, statefulset) (kube_statefulset_status_replicas_ready{${tenantNs},statefulset="redis"}) == 0 and on (namespace, statefulset) max by (namespace, statefulset) (kube_statefulset_replicas{${tenantNs},statefulset="redis"}) > 0`,
                    ),
                    for: "5m",
                    severity: "critical",
                    category: "cache",
                    summary: "Tenant {{ $labels.tenant }}'s Redis is down",
                    description: "No member of the Redis in {{ $labels.namespace }} has been ready for 5 minutes; tenant {{ $labels.tenant }}'s server has lost its data store.",
                },
            ],
        },
    ];
}

/** Pure: the PrometheusRule's `spec.groups` for a namespace, limited to what the stack runs. */
export function alertRules(namespace: string, scope: RuleScope = FULL_SCOPE): RuleGroup[] {
    const wanted = (e: Entry) =>
        (!e.needs?.component || scope.components.includes(e.needs.component)) && (!e.needs?.store || scope.stores.includes(e.needs.store));
    return catalogue(namespace).map((g) => ({
        name: g.name,
        rules: g.entries.filter(wanted).map((e) => ({
            alert: e.alert,
            expr: e.expr,
            for: e.for,
            labels: { severity: e.severity, category: e.category },
            annotations: { summary: e.summary, description: e.description, runbook_url: runbookUrl(e.alert) },
        })),
    }));
}
