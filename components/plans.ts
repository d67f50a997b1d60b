/**
 * The plan catalogue: quota numbers straight from the NeuralLog Kubernetes guide's
 * "Resource Quotas by Plan". The guide gives one LimitRange ("tenant-container-limits");
 * it is used as-is for professional, and scaled to the quota for starter and enterprise
 * so that a plan change really changes what a single container may ask for.
 */

export type PlanId = "starter" | "professional" | "enterprise";
export const PLAN_IDS: readonly PlanId[] = ["starter", "professional", "enterprise"];

/** ResourceQuota.spec.hard keys, exactly as Kubernetes spells them. */
export interface QuotaHard {
    "requests.cpu": string;
    "requests.memory": string;
    "limits.cpu": string;
    "limits.memory": string;
    "requests.storage": string;
    pods: string;
    services: string;
    persistentvolumeclaims: string;
    secrets: string;
    configmaps: string;
}

export interface CpuMemory {
    cpu: string;
    memory: string;
}

export interface LimitRangeValues {
    container: { default: CpuMemory; defaultRequest: CpuMemory; max: CpuMemory; min: CpuMemory };
    pod: { max: CpuMemory };
    pvc: { max: string; min: string };
}

export interface Plan {
    quota: QuotaHard;
    limitRange: LimitRangeValues;
    /** Storage class of the tenant's data volume unless the tenant names one. */
    storageClass: string;
    /** Size of the tenant's data volume (`tenant-data-storage`) unless the tenant names one. */
    dataStorage: string;
}

const SEED_CONTAINER_DEFAULTS = {
    default: { cpu: "200m", memory: "256Mi" },
    defaultRequest: { cpu: "100m", memory: "128Mi" },
    min: { cpu: "50m", memory: "64Mi" },
};

export const PLAN_CATALOGUE: Readonly<Record<PlanId, Plan>> = {
    starter: {
        quota: {
            "requests.cpu": "2",
            "requests.memory": "4Gi",
            "limits.cpu": "4",
            "limits.memory": "8Gi",
            "requests.storage": "10Gi",
            pods: "10",
            services: "5",
            persistentvolumeclaims: "3",
            secrets: "10",
            configmaps: "10",
        },
        limitRange: {
            container: { ...SEED_CONTAINER_DEFAULTS, max: { cpu: "2", memory: "4Gi" } },
            pod: { max: { cpu: "4", memory: "8Gi" } },
            pvc: { max: "10Gi", min: "1Gi" },
        },
        storageClass: "standard",
        dataStorage: "5Gi",
    },
    professional: {
        quota: {
            "requests.cpu": "8",
            "requests.memory": "16Gi",
            "limits.cpu": "16",
            "limits.memory": "32Gi",
            "requests.storage": "100Gi",
            pods: "50",
            services: "15",
            persistentvolumeclaims: "10",
            secrets: "50",
            configmaps: "50",
        },
        limitRange: {
            container: { ...SEED_CONTAINER_DEFAULTS, max: { cpu: "4", memory: "8Gi" } },
            pod: { max: { cpu: "8", memory: "16Gi" } },
            pvc: { max: "50Gi", min: "1Gi" },
        },
        storageClass: "fast-ssd",
        dataStorage: "50Gi",
    },
    enterprise: {
        quota: {
            "requests.cpu": "32",
            "requests.memory": "64Gi",
            "limits.cpu": "64",
            "limits.memory": "128Gi",
            "requests.storage": "1Ti",
            pods: "100",
            services: "20",
            persistentvolumeclaims: "25",
            secrets: "100",
            configmaps: "100",
        },
        limitRange: {
            container: { ...SEED_CONTAINER_DEFAULTS, max: { cpu: "8", memory: "16Gi" } },
            pod: { max: { cpu: "16", memory: "32Gi" } },
            pvc: { max: "500Gi", min: "1Gi" },
        },
        storageClass: "premium-nvme",
        dataStorage: "200Gi",
    },
};
