/**
 * The resolved model: plain data that components turn into Kubernetes objects.
 * Everything here is decided (defaults applied, plans resolved, checks passed), so
 * components hold no policy of their own.
 */
import { LimitRangeValues, PlanId, QuotaHard } from "./plans";

export interface ResourceRequirements {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

export interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: {
        secretKeyRef?: { name: string; key: string };
        configMapKeyRef?: { name: string; key: string };
    };
}

export interface AutoscalingModel {
    minReplicas: number;
    maxReplicas: number;
    targetCPUUtilization: number;
    targetMemoryUtilization?: number;
}

/** The platform's shared Secret and the key of its JWT signing key (MLCF summary). */
export const PLATFORM_SECRET = { name: "neurallog-secrets", jwtKey: "jwt-secret" } as const;

export type StoreKind = "redis" | "postgres" | "qdrant" | "neo4j";

/** A stateless service, rendered by the Workload component. */
export interface WorkloadModel {
    /** Object name and `app.kubernetes.io/name`, e.g. `neurallog-server`. */
    name: string;
    component: string;
    image: string;
    port: number;
    healthPath?: string;
    metricsPort?: number;
    metricsPath: string;
    startupProbe: boolean;
    env: EnvVar[];
    /** Fixed replica count; absent when an HPA owns `spec.replicas`. */
    replicas: number;
    autoscaling?: AutoscalingModel;
    pdb?: { minAvailable: number };
    resources: ResourceRequirements;
    /** Data stores this workload may reach (network policy). */
    accessTo: StoreKind[];
    /** Schedule onto the tainted tenant-workload node pool. */
    tenantPool: boolean;
    /** A VerticalPodAutoscaler for the Deployment (config.ts refuses one that fights the HPA). */
    vpa?: VpaModel;
    /** Mesh traffic policy (VirtualService + DestinationRule) when the stack's mesh is on. */
    traffic?: TrafficModel;
}

export interface VpaModel {
    updateMode: "Off" | "Initial" | "Recreate" | "InPlaceOrRecreate";
    controlledResources: ("cpu" | "memory")[];
    minAllowed: { cpu?: string; memory?: string };
    maxAllowed: { cpu?: string; memory?: string };
}

export interface TrafficModel {
    timeout: string;
    retries: { attempts: number; perTryTimeout: string; retryOn: string };
    loadBalancer: "LEAST_REQUEST" | "ROUND_ROBIN" | "RANDOM";
    connectionPool: { maxConnections: number; http1MaxPendingRequests: number; maxRequestsPerConnection: number };
    outlierDetection: { consecutive5xxErrors: number; interval: string; baseEjectionTime: string; maxEjectionPercent: number };
}

/** Scheduled backups of the system namespace's stores (backups.ts). */
export interface BackupsModel {
    storageClass: string;
    size: string;
    retentionDays: number;
    /** Present when Qdrant runs. */
    qdrant?: { schedule: string; image: string };
    /** Present when Neo4j runs; the dump uses the store's own image (cypher-shell). */
    neo4j?: { schedule: string; image: string };
    /** Present when the stack names a VolumeSnapshotClass. */
    volumeSnapshots?: { className: string; schedule: string; keep: number; image: string };
}

export interface StoreModel {
    kind: StoreKind;
    /**
     * Object name, also the client Service (`redis://redis:6379`), which reaches only the
     * ready primary; `<name>-peers` is the headless Service for the replicas.
     */
    name: string;
    image: string;
    replicas: number;
    resources: ResourceRequirements;
    storageClass: string;
    /** Data volumes by name: size, and the config key that sets it (volumes.ts). */
    volumes: Record<string, { size: string; key: string }>;
    /** `protect` the claims, so no config change or destroy can delete them. */
    protect: boolean;
    /** Leave the claims in the cluster when the store is removed (a decommissioned tenant). */
    retainOnDelete: boolean;
    /** Store settings (redis.conf directives for Redis). */
    config: Record<string, string>;
    /** Rotation key of the store's generated password (`credentialRotation`). */
    credentialRotation: string;
    /** Postgres only. */
    exporterImage?: string;
    database?: string;
    tenantPool: boolean;
}

export interface NetworkRuleModel {
    description?: string;
    /** Pod labels of the peer; empty selects every pod of the namespaces. */
    podLabels: Record<string, string>;
    /** Namespaces of the peer, by name; empty means the tenant's own. */
    namespaces: string[];
    /** At least one (config.ts). */
    ports: { protocol: "TCP" | "UDP" | "SCTP"; port: number }[];
}

/** What the stack's network policies may reach outside the cluster, and where cluster DNS runs. */
export interface NetworkModel {
    /** Web egress ranges, each with the excluded ranges inside it cut out. */
    egress: { cidr: string; except: string[] }[];
    dns: { namespace: string; podLabels: Record<string, string> };
}

/** The cluster a stack deploys to; the program refuses any other (cluster.ts). */
export interface ClusterModel {
    /** kubeconfig context the provider uses. */
    context?: string;
    /** API server URL the context must point at. */
    server?: string;
    /** The provider's client rate: queries per second, and burst above it. */
    qps: number;
    burst: number;
}

export interface TenantModel {
    tenantId: string;
    planId: PlanId;
    billingEmail: string;
    displayName: string;
    description?: string;
    namespace: string;
    quota: QuotaHard;
    limitRange: LimitRangeValues;
    dataStorage: string;
    storageClass: string;
    server: WorkloadModel;
    authService?: WorkloadModel;
    redis: StoreModel;
    networkPolicy: {
        enabled: boolean;
        allowedNamespaces: string[];
        ingressRules: NetworkRuleModel[];
        egressRules: NetworkRuleModel[];
    };
    features: Record<string, boolean>;
    /** `protect` the namespace and data volume, so removing the tenant from config cannot delete them. */
    protect: boolean;
    /** Being offboarded: namespace and data volume stay in the cluster when the entry is removed. */
    retainOnDelete: boolean;
    /** The Tenant custom resource's spec, mirroring the config entry. */
    spec: Record<string, unknown>;
    /**
     * The shard the tenant is moving to (`moveTo`): this stack keeps only its namespace and
     * data volume, unprotected and retained (tenant.ts, `MovedTenant`).
     */
    movingTo?: string;
    /** The sibling shard's stack whose file lists this tenant with `moveTo` naming this shard. */
    movingFrom?: string;
}

export interface PlatformModel {
    environment: string;
    cluster: ClusterModel;
    network: NetworkModel;
    /** Registries images may come from; checked in production. */
    imageRegistries: string[];
    production: boolean;
    namespace: string;
    imageTag: string;
    server: WorkloadModel;
    services: WorkloadModel[];
    stores: StoreModel[];
    storageClasses: { create: boolean; provisioner: string; default: string; available: string[] };
    observability: {
        enabled: boolean;
        monitoringNamespace: string;
        scrapeInterval: string;
        selectorLabels: Record<string, string>;
        dashboards: boolean;
    };
    ingress: { enabled: boolean; host?: string; className: string; clusterIssuer: string; tlsSecretName?: string };
    /** Istio: injection labels, strict mTLS, AuthorizationPolicies, traffic policies (mesh.ts). */
    mesh: { enabled: boolean };
    backups?: BackupsModel;
    tenants: TenantModel[];
    /** Rotation key of the platform's generated JWT signing key (`credentialRotation`). */
    jwtSecretRotation: string;
}
