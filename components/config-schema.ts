/**
 * The stack-config contract: the shape of every `neurallog:<key>`, with the defaults of
 * the seed documents' default tables. Objects are strict, so a misspelt key is an error
 * rather than a silently ignored setting (a typo must never drop a tenant's settings).
 */
import { z } from "zod";
import { PLAN_IDS, PlanId } from "./plans";
import { isQuantity, QUANTITY_RULE } from "./quantity";

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_LABEL_RULE = `must match ${DNS_LABEL.source}`;
/** `tenant-` plus the id must stay a valid namespace name (63 characters). */
export const TENANT_NAMESPACE_PREFIX = "tenant-";
export const TENANT_ID_MAX = 63 - TENANT_NAMESPACE_PREFIX.length;

export const quantity = z.string({ error: QUANTITY_RULE }).refine(isQuantity, { error: QUANTITY_RULE });
const replicas = z.number({ error: "must be a whole number of at least 1" }).int("must be a whole number of at least 1").min(1, "must be at least 1");
const port = z.number().int().min(1, "must be a port number 1-65535").max(65535, "must be a port number 1-65535");
const dnsLabel = (max = 63) =>
    z.string().regex(DNS_LABEL, DNS_LABEL_RULE).max(max, `must be at most ${max} characters`);
const image = z.string().min(1, "must be an image reference such as redis:7-alpine");

/**
 * A cpu or memory pair. The tenant operator guide spells it `{request, limit}`, the
 * Kubernetes guide `{requests, limits}`; both are accepted and mean the same.
 */
const requestLimit = z.preprocess(
    (v) => {
        if (v && typeof v === "object" && !Array.isArray(v)) {
            const o = { ...(v as Record<string, unknown>) };
            for (const [plural, singular] of [["requests", "request"], ["limits", "limit"]] as const) {
                if (plural in o && !(singular in o)) {
                    o[singular] = o[plural];
                    delete o[plural];
                }
            }
            return o;
        }
        return v;
    },
    z.strictObject({ request: quantity, limit: quantity }),
);

/** Container resources, `{cpu: {request, limit}, memory: {request, limit}}`. */
const resources = (d: { cpu: [string, string]; memory: [string, string] }) =>
    z
        .strictObject({
            cpu: requestLimit.default({ request: d.cpu[0], limit: d.cpu[1] }),
            memory: requestLimit.default({ request: d.memory[0], limit: d.memory[1] }),
        })
        .prefault({});
export type ResourcesInput = z.infer<ReturnType<typeof resources>>;

const envVar = z.strictObject({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a valid environment variable name"),
    value: z.string().optional(),
    valueFrom: z
        .strictObject({
            secretKeyRef: z.strictObject({ name: dnsLabel(253), key: z.string().min(1) }).optional(),
            configMapKeyRef: z.strictObject({ name: dnsLabel(253), key: z.string().min(1) }).optional(),
        })
        .optional(),
});
export type EnvVarInput = z.infer<typeof envVar>;

const autoscaling = z
    .strictObject({
        enabled: z.boolean().default(false),
        minReplicas: replicas.default(1),
        maxReplicas: replicas.default(10),
        /** Seed HPA: 80% cpu for the NeuralLog server. */
        targetCPUUtilization: z.number().int().min(1).max(100).default(80),
        targetMemoryUtilization: z.number().int().min(1).max(100).optional(),
    })
    .prefault({});

const pdb = z.strictObject({ minAvailable: z.number().int().min(1, "must be at least 1") }).optional();

const duration = z.string().regex(/^\d+(ms|s|m|h)$/, "must be a duration such as 30s, 500ms or 5m");

/**
 * The VPA's modes. "Auto" is left out on purpose: the VPA project deprecated it as an
 * alias of "Recreate", so a stack says which of the two it means.
 */
export const VPA_UPDATE_MODES = ["Off", "Initial", "Recreate", "InPlaceOrRecreate"] as const;
const bounds = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).default({});

/** A VerticalPodAutoscaler for the workload (the MLCF summary's vpa.yaml). */
const vpa = z
    .strictObject({
        enabled: z.boolean().default(false),
        /** "Off" (the default) only recommends; any other mode evicts or resizes pods. */
        updateMode: z.enum(VPA_UPDATE_MODES, {
            error: `must be one of ${VPA_UPDATE_MODES.join(", ")} ("Auto" is deprecated by the VPA project: write "Recreate")`,
        }).default("Off"),
        controlledResources: z.array(z.enum(["cpu", "memory"])).min(1, "must name cpu, memory or both").default(["cpu", "memory"]),
        minAllowed: bounds,
        maxAllowed: bounds,
    })
    .optional();

/**
 * How the mesh treats calls to a service (VirtualService + DestinationRule, when
 * `mesh.enabled`). The MLCF summary names the features, not the numbers: these defaults are ours.
 */
const traffic = z
    .strictObject({
        timeout: duration.default("30s"),
        retries: z
            .strictObject({
                attempts: z.number().int().min(0).max(10).default(3),
                perTryTimeout: duration.default("10s"),
                retryOn: z.string().default("5xx,reset,connect-failure,refused-stream"),
            })
            .prefault({}),
        loadBalancer: z.enum(["LEAST_REQUEST", "ROUND_ROBIN", "RANDOM"]).default("LEAST_REQUEST"),
        connectionPool: z
            .strictObject({
                maxConnections: z.number().int().min(1).default(100),
                http1MaxPendingRequests: z.number().int().min(1).default(100),
                maxRequestsPerConnection: z.number().int().min(1).default(10),
            })
            .prefault({}),
        outlierDetection: z
            .strictObject({
                consecutive5xxErrors: z.number().int().min(1).default(5),
                interval: duration.default("30s"),
                baseEjectionTime: duration.default("30s"),
                maxEjectionPercent: z.number().int().min(1).max(100).default(50),
            })
            .prefault({}),
    })
    .optional();

/** The platform's own NeuralLog server (system namespace). Defaults: the base Deployment. */
export const serverSchema = z
    .strictObject({
        image: image.optional(),
        replicas: replicas.default(1),
        logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
        resources: resources({ cpu: ["100m", "500m"], memory: ["128Mi", "512Mi"] }),
        autoscaling,
        pdb,
        vpa,
    })
    .prefault({});

/** An extra stateless service a stack lists (MLCF API, Aquaculture api/ml/worker). */
export const serviceSchema = z.strictObject({
    name: dnsLabel(50),
    component: dnsLabel().optional(),
    image,
    port,
    /** HTTP path for probes; without it the probes are TCP checks on `port`. */
    healthPath: z.string().startsWith("/").optional(),
    metricsPort: port.optional(),
    metricsPath: z.string().startsWith("/").default("/metrics"),
    startupProbe: z.boolean().default(false),
    replicas: replicas.default(1),
    resources: resources({ cpu: ["250m", "1"], memory: ["512Mi", "2Gi"] }),
    env: z.record(z.string(), z.string()).default({}),
    autoscaling,
    pdb,
    vpa,
    traffic,
    /** Data stores this service talks to; opens exactly those network paths. */
    accessTo: z.array(z.enum(["redis", "postgres", "qdrant", "neo4j"])).default([]),
});

const storeBase = {
    enabled: z.boolean().default(false),
    replicas: replicas.default(1),
    storageClass: z.string().optional(),
};

export const dataStoresSchema = z
    .strictObject({
        redis: z
            .strictObject({
                ...storeBase,
                enabled: z.boolean().default(true),
                image: image.default("redis:7-alpine"),
                resources: resources({ cpu: ["100m", "300m"], memory: ["128Mi", "256Mi"] }),
                storage: quantity.default("1Gi"),
                config: z.record(z.string(), z.string()).default({}),
            })
            .prefault({}),
        postgres: z
            .strictObject({
                ...storeBase,
                image: image.default("postgres:16-alpine"),
                exporterImage: image.default("quay.io/prometheuscommunity/postgres-exporter:v0.15.0"),
                database: dnsLabel().default("neurallog"),
                resources: resources({ cpu: ["250m", "1"], memory: ["512Mi", "1Gi"] }),
                storage: quantity.default("10Gi"),
            })
            .prefault({}),
        qdrant: z
            .strictObject({
                ...storeBase,
                image: image.default("qdrant/qdrant:v1.12.4"),
                resources: resources({ cpu: ["500m", "2"], memory: ["1Gi", "4Gi"] }),
                storage: quantity.default("50Gi"),
                snapshotStorage: quantity.default("20Gi"),
            })
            .prefault({}),
        neo4j: z
            .strictObject({
                ...storeBase,
                image: image.default("neo4j:5-community"),
                resources: resources({ cpu: ["1", "4"], memory: ["2Gi", "8Gi"] }),
                storage: quantity.default("100Gi"),
                logsStorage: quantity.default("10Gi"),
            })
            .prefault({}),
    })
    .prefault({});

export const CATALOGUE_STORAGE_CLASSES = ["standard", "fast-ssd", "premium-nvme"] as const;

export const storageClassesSchema = z
    .strictObject({
        /** Create the catalogue's StorageClass objects (fast-ssd, premium-nvme, standard). */
        create: z.boolean().default(false),
        /** CSI provisioner for created classes; the seeds' in-tree `kubernetes.io/aws-ebs` is gone since 1.27. */
        provisioner: z.string().default("ebs.csi.aws.com"),
        /** Class used by data stores that name none. */
        default: z.string().default("standard"),
        /** Classes the cluster offers; every reference in this config must be one of them. */
        available: z.array(dnsLabel(253)).default([...CATALOGUE_STORAGE_CLASSES]),
    })
    .prefault({});

export const observabilitySchema = z
    .strictObject({
        enabled: z.boolean().default(false),
        /** Namespace of Prometheus and Grafana; its pods may scrape metrics ports. */
        monitoringNamespace: dnsLabel().default("monitoring"),
        scrapeInterval: z.string().regex(/^\d+[smh]$/, "must be a duration such as 30s").default("30s"),
        /** Labels Prometheus' ruleSelector/serviceMonitorSelector match (e.g. release: prometheus). */
        selectorLabels: z.record(z.string(), z.string()).default({}),
        dashboards: z.boolean().default(true),
    })
    .prefault({});

/** Istio: sidecar injection, strict mTLS and AuthorizationPolicies per namespace. */
export const meshSchema = z.strictObject({ enabled: z.boolean().default(false) }).prefault({});

const CRON = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/;
const schedule = z.string().regex(CRON, "must be a cron schedule such as \"0 */6 * * *\" (five fields) or @daily");

/** Scheduled backups of the platform's stores (MLCF summary: Qdrant snapshots, Neo4j dumps, PVC snapshots). */
export const backupsSchema = z
    .strictObject({
        enabled: z.boolean().default(false),
        /** Class of the backup volume; the MLCF summary keeps snapshots on `standard`. */
        storageClass: z.string().default("standard"),
        size: quantity.default("50Gi"),
        /** Dump and snapshot files older than this are deleted by the next run. */
        retentionDays: z.number().int().min(1).max(365).default(7),
        qdrant: z.strictObject({ schedule: schedule.default("0 */6 * * *") }).prefault({}),
        neo4j: z.strictObject({ schedule: schedule.default("30 1 * * *") }).prefault({}),
        /** CSI VolumeSnapshots of every data volume; only when a class is named. */
        volumeSnapshots: z
            .strictObject({
                className: dnsLabel(253).optional(),
                schedule: schedule.default("0 2 * * *"),
                /** Snapshots kept per volume. */
                keep: z.number().int().min(1).max(100).default(7),
            })
            .prefault({}),
        images: z
            .strictObject({
                /** Fetches Qdrant snapshots over its HTTP API. */
                curl: image.default("curlimages/curl:8.11.1"),
                /** Creates and prunes VolumeSnapshots. */
                kubectl: image.default("alpine/k8s:1.33.4"),
            })
            .prefault({}),
    })
    .prefault({});

export const ingressSchema = z
    .strictObject({
        enabled: z.boolean().default(false),
        host: z.string().optional(),
        className: z.string().default("nginx"),
        clusterIssuer: z.string().default("letsencrypt-prod"),
        tlsSecretName: dnsLabel(253).optional(),
    })
    .prefault({});

const planOverride = z.strictObject({
    quota: z
        .strictObject({
            "requests.cpu": quantity.optional(),
            "requests.memory": quantity.optional(),
            "limits.cpu": quantity.optional(),
            "limits.memory": quantity.optional(),
            "requests.storage": quantity.optional(),
            pods: quantity.optional(),
            services: quantity.optional(),
            persistentvolumeclaims: quantity.optional(),
            secrets: quantity.optional(),
            configmaps: quantity.optional(),
        })
        .optional(),
    storageClass: z.string().optional(),
    dataStorage: quantity.optional(),
});

export const plansSchema = z.record(z.string(), planOverride).default({});

const networkRule = z.strictObject({
    description: z.string().optional(),
    /** Pod labels of the peer (ingress rules), as in the tenant operator guide. */
    from: z.record(z.string(), z.string()).optional(),
    /** Pod labels of the peer (egress rules). */
    to: z.record(z.string(), z.string()).optional(),
    /** Namespaces the peer lives in, by name; without it, the tenant's own namespace. */
    namespaces: z.array(dnsLabel()).default([]),
    ports: z
        .array(z.strictObject({ protocol: z.enum(["TCP", "UDP", "SCTP"]).default("TCP"), port }), {
            error: "must list at least one port: a rule without ports opens every port",
        })
        .min(1, "must list at least one port: a rule without ports opens every port"),
});

/** One tenant: field names of the tenant documents (operator guide + Kubernetes guide). */
export const tenantSchema = z.strictObject({
    tenantId: z
        .string({ error: "is required" })
        .regex(DNS_LABEL, DNS_LABEL_RULE)
        .max(TENANT_ID_MAX, `must be at most ${TENANT_ID_MAX} characters so that namespace tenant-<id> fits 63`),
    planId: z.enum(PLAN_IDS as [PlanId, ...PlanId[]], { error: `must be one of ${PLAN_IDS.join(", ")}` }),
    billingEmail: z.email({ error: "must be an email address" }),
    displayName: z.string().optional(),
    description: z.string().optional(),
    /** Tenant quota; at most the plan's numbers. Omitted keys take the plan's value. */
    resources: z
        .strictObject({
            cpu: requestLimit.optional(),
            memory: requestLimit.optional(),
            storage: z
                .preprocess(
                    (v) => {
                        if (v && typeof v === "object" && "request" in v === false && "requests" in (v as object)) {
                            const { requests, ...rest } = v as Record<string, unknown>;
                            return { ...rest, request: requests };
                        }
                        return v;
                    },
                    z.strictObject({ request: quantity.optional(), limit: quantity.optional(), storageClass: z.string().optional() }),
                )
                .optional(),
            pods: z.number().int().min(1).optional(),
            services: z.number().int().min(1).optional(),
        })
        .prefault({}),
    server: z
        .strictObject({
            replicas: replicas.default(1),
            image: image.optional(),
            resources: resources({ cpu: ["100m", "500m"], memory: ["128Mi", "512Mi"] }),
            env: z.array(envVar).default([]),
        })
        .prefault({}),
    redis: z
        .strictObject({
            replicas: replicas.default(1),
            image: image.default("redis:7-alpine"),
            resources: resources({ cpu: ["100m", "300m"], memory: ["128Mi", "256Mi"] }),
            /** Size of each Redis data volume, the tenant's data volume; defaults to `dataStorage`. */
            storage: quantity.optional(),
            storageClass: z.string().optional(),
            config: z.record(z.string(), z.string()).default({}),
        })
        .prefault({}),
    /** Extra tenant services from the Kubernetes guide's Tenant example. */
    services: z
        .strictObject({
            authService: z
                .strictObject({
                    enabled: z.boolean().default(false),
                    replicas: replicas.default(1),
                    image: image.optional(),
                    resources: resources({ cpu: ["200m", "500m"], memory: ["128Mi", "256Mi"] }),
                })
                .prefault({}),
        })
        .prefault({}),
    /** Size of the tenant data volume (its Redis data, one per replica); defaults to the plan's. */
    dataStorage: quantity.optional(),
    networkPolicy: z
        .strictObject({
            enabled: z.boolean().default(true),
            allowedNamespaces: z.array(dnsLabel()).default([]),
            ingressRules: z.array(networkRule).default([]),
            egressRules: z.array(networkRule).default([]),
        })
        .prefault({}),
    features: z.record(z.string(), z.boolean()).default({}),
    /**
     * Step one of offboarding: lifts the protection of the namespace and data volume and
     * marks them retain-on-delete, so removing the entry afterwards deletes the workloads
     * but leaves the namespace and the tenant's data in the cluster.
     */
    decommission: z.boolean().default(false),
    /**
     * Moves the tenant to another shard of the fleet (`neurallog:shard`): that shard's stack
     * deploys its slice, and this one keeps only its namespace and data volume (unprotected,
     * retained in the cluster), until the entry is moved into the other stack's file.
     */
    moveTo: dnsLabel().optional(),
});
export type TenantInput = z.infer<typeof tenantSchema>;

/** An IPv4 or IPv6 range in CIDR notation (validated with ipaddr.js in config.ts). */
const cidr = z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, "must be a range in CIDR notation such as 203.0.113.0/24");

export const networkSchema = z
    .strictObject({
        /**
         * Ranges tenant pods may reach on TCP 80 and 443, e.g. an egress proxy or a partner
         * API. None by default: a tenant reaches nothing outside the cluster.
         */
        egressCidrs: z.array(cidr).default([]),
        /** The cluster's pod and service ranges, never reachable through egressCidrs (kubeadm's defaults). */
        podCidrs: z.array(cidr).default(["10.244.0.0/16"]),
        serviceCidrs: z.array(cidr).default(["10.96.0.0/12"]),
        /** Where the cluster DNS pods run; DNS egress goes to those pods only. */
        dns: z
            .strictObject({
                namespace: dnsLabel().default("kube-system"),
                podLabels: z.record(z.string(), z.string()).default({ "k8s-app": "kube-dns" }),
            })
            .prefault({}),
    })
    .prefault({});

export const clusterSchema = z
    .strictObject(
        {
            /** The kubeconfig context this stack deploys through; the provider uses exactly this one. */
            context: z.string().min(1).optional(),
            /** The API server URL the context must point at, e.g. https://prod.k8s.example:6443. */
            server: z.url({ error: "must be the API server URL, such as https://127.0.0.1:6443" }).optional(),
            /**
             * The provider's client rate against this API server. A refresh makes one GET per
             * object, so the rate is the floor of a drift check: client-go's default, 50, held
             * one of 100 tenants to at least 55 s, 200 to about 61 s where 1000 took 52 s
             * (README, Scale). kubectl, the baseline, was not throttled on its side in the same
             * apply; the server's API Priority and Fairness queues a client that sends too much.
             */
            qps: z.number().int().min(1, "must be at least 1").max(10000).default(1000),
            /** Requests the client may send at once above `qps`. */
            burst: z.number().int().min(1, "must be at least 1").max(20000).default(2000),
        },
        { error: "is required: name the cluster this stack deploys to, as {context: <kubeconfig context>} and/or {server: <API server URL>}" },
    )
    .refine((c) => c.context !== undefined || c.server !== undefined, {
        error: "must name the cluster by context, server or both, so the stack cannot deploy to whatever context is current",
    })
    .superRefine((c, ctx) => {
        if (c.burst < c.qps) ctx.addIssue({ code: "custom", path: ["burst"], message: `must be at least cluster.qps (${c.qps})` });
    });

export const ENVIRONMENTS = ["development", "test", "staging", "production"] as const;

/** Every top-level key, `neurallog:<key>`. */
export const rootSchemas = {
    environment: z.enum(ENVIRONMENTS, { error: `must be one of ${ENVIRONMENTS.join(", ")}` }),
    cluster: clusterSchema,
    network: networkSchema,
    namespace: dnsLabel().default("neurallog"),
    imageTag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a valid image tag").default("latest"),
    /**
     * Registries images may come from (`docker.io` for Docker Hub names such as
     * `redis:7`); required in production, where every image is checked against it.
     */
    imageRegistries: z.array(z.string().min(1)).default([]),
    /** Protect tenant namespaces and data volumes from deletion; the test stack opts out explicitly. */
    protectTenantData: z.boolean().default(true),
    server: serverSchema,
    services: z.array(serviceSchema).default([]),
    dataStores: dataStoresSchema,
    storageClasses: storageClassesSchema,
    observability: observabilitySchema,
    mesh: meshSchema,
    backups: backupsSchema,
    ingress: ingressSchema,
    plans: plansSchema,
    /**
     * This stack is one shard of a fleet: the project's other stack files naming the same
     * fleet are its sibling shards (components/shards.ts). A tenant lives in exactly one
     * shard's file, and moves with `moveTo`.
     */
    shard: z.strictObject({ fleet: dnsLabel(), name: dnsLabel() }).optional(),
    tenants: z.array(z.unknown()).default([]),
    /**
     * Rotation keys by credential (`platform/jwt-secret`, `platform/<store>`,
     * `tenant/<tenantId>/redis`): setting or changing a key generates a new value and
     * updates the Secret that carries it.
     */
    credentialRotation: z.record(z.string(), z.string({ error: "must be a string (any new value rotates the credential)" })).default({}),
} as const;

export type RootKey = keyof typeof rootSchemas;
export type RootInput = { [K in RootKey]: z.infer<(typeof rootSchemas)[K]> };
