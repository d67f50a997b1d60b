/**
 * Which cluster a stack deploys to. Without this, `pulumi up -s production` uses
 * whatever kube context is current and would deploy production onto a test cluster.
 * The stack names its cluster (`neurallog:cluster`: a kubeconfig context, an API
 * server URL, or both); the program checks the kubeconfig before it registers
 * anything, and the provider then uses exactly that context.
 */
import { ConfigError, PROJECT } from "./config";
import { TENANT_CRD_NAME, TENANT_VIEWER_ROLE } from "./crd";
import { PART_OF } from "./labels";
import { ClusterModel, PlatformModel } from "./model";

/** The parts of a kubeconfig the check needs (what @kubernetes/client-node's KubeConfig holds). */
export interface KubeconfigView {
    currentContext: string;
    contexts: { name: string; cluster: string }[];
    clusters: { name: string; server: string }[];
    /** Where it was read from, for the message. */
    source: string;
}

/** The context the provider will use and the server it points at. */
export interface ClusterTarget {
    context: string;
    server: string;
}

const normalise = (url: string) => url.replace(/\/+$/, "").toLowerCase();

/**
 * Pure: the target the stack's config names, or a ConfigError that says what the
 * kubeconfig points at instead and how to fix it.
 */
export function resolveClusterTarget(wanted: ClusterModel, kc: KubeconfigView): ClusterTarget {
    const contextName = wanted.context ?? kc.currentContext;
    const context = kc.contexts.find((c) => c.name === contextName);
    if (!context) {
        const known = kc.contexts.map((c) => c.name).join(", ") || "none";
        throw new ConfigError([
            {
                path: `${PROJECT}:cluster.context`,
                message: wanted.context
                    ? `"${wanted.context}" is not a context of ${kc.source} (contexts: ${known}); point KUBECONFIG at the kubeconfig of this stack's cluster`
                    : `is not set and ${kc.source} has no current context; set ${PROJECT}:cluster.context`,
            },
        ]);
    }
    const server = kc.clusters.find((c) => c.name === context.cluster)?.server ?? "";
    if (wanted.server !== undefined && normalise(wanted.server) !== normalise(server)) {
        throw new ConfigError([
            {
                path: `${PROJECT}:cluster.server`,
                message:
                    `is ${wanted.server} but context "${context.name}" of ${kc.source} points at ${server || "no server"}; ` +
                    `this stack refuses to deploy to another cluster (switch KUBECONFIG or the context, or correct the config if the cluster really moved)`,
            },
        ]);
    }
    return { context: context.name, server };
}

/** A client on the stack's context of the ambient kubeconfig; loaded only by stacks that read the cluster. */
export async function objectApi(context: string) {
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    kc.loadFromDefault();
    kc.setCurrentContext(context);
    return k8s.KubernetesObjectApi.makeApiClient(kc);
}

/** Reads the ambient kubeconfig (KUBECONFIG, else ~/.kube/config) as @kubernetes/client-node does. */
export async function readKubeconfig(): Promise<KubeconfigView> {
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    kc.loadFromDefault();
    return {
        currentContext: kc.getCurrentContext(),
        contexts: kc.getContexts().map((c) => ({ name: c.name, cluster: c.cluster })),
        clusters: kc.getClusters().map((c) => ({ name: c.name, server: c.server })),
        source: process.env.KUBECONFIG ? `KUBECONFIG (${process.env.KUBECONFIG})` : "~/.kube/config",
    };
}

/**
 * Cluster-scoped objects (namespaces, the Tenant CRD, the viewer ClusterRole, storage
 * classes, Tenant objects) carry the stack that owns them. One stack owns a cluster's
 * NeuralLog objects: a second stack pointed at the same cluster would otherwise take
 * over the first one's CRD and namespaces, and destroying it would delete them.
 */
export const OWNER_ANNOTATION = "neurallog.io/stack";

export const CLUSTER_SCOPED_KINDS: Record<string, { apiVersion: string; kind: string }> = {
    "kubernetes:core/v1:Namespace": { apiVersion: "v1", kind: "Namespace" },
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition": { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" },
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" },
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding" },
    "kubernetes:storage.k8s.io/v1:StorageClass": { apiVersion: "storage.k8s.io/v1", kind: "StorageClass" },
    "kubernetes:neurallog.io/v1:Tenant": { apiVersion: "neurallog.io/v1", kind: "Tenant" },
};

/** The ClusterRole (and its binding) that lets the backup job list namespaces (backups.ts). */
export const SNAPSHOT_NAMESPACES_ROLE = "neurallog-backup-namespaces";

/** Live owners of the platform's cluster-scoped objects, by `Kind/name`. */
export type LiveOwners = Map<string, string | undefined>;

/** Pure: what the model will create at cluster scope, with the config key that decides each. */
export function clusterScopedObjects(model: PlatformModel): { kind: string; name: string; key: string }[] {
    return [
        { kind: "Namespace", name: model.namespace, key: `${PROJECT}:namespace` },
        { kind: "CustomResourceDefinition", name: TENANT_CRD_NAME, key: `${PROJECT}:cluster` },
        { kind: "ClusterRole", name: TENANT_VIEWER_ROLE, key: `${PROJECT}:cluster` },
        ...(model.backups?.volumeSnapshots
            ? ["ClusterRole", "ClusterRoleBinding"].map((kind) => ({ kind, name: SNAPSHOT_NAMESPACES_ROLE, key: `${PROJECT}:backups.volumeSnapshots` }))
            : []),
        ...(model.storageClasses.create ? model.storageClasses.available.map((name) => ({ kind: "StorageClass", name, key: `${PROJECT}:storageClasses.create` })) : []),
        ...model.tenants.flatMap((t, i) => [
            { kind: "Namespace", name: t.namespace, key: `${PROJECT}:tenants[${i}].tenantId` },
            { kind: "Tenant", name: t.tenantId, key: `${PROJECT}:tenants[${i}].tenantId` },
        ]),
    ];
}

/** Refuses (ConfigError) when another stack owns an object this one would create. */
export function guardClusterOwnership(model: PlatformModel, stack: string, owners: LiveOwners, target: ClusterTarget): void {
    const problems = clusterScopedObjects(model)
        .map((o) => ({ ...o, owner: owners.get(`${o.kind}/${o.name}`) }))
        .filter((o) => o.owner !== undefined && o.owner !== stack)
        .map((o) => ({
            path: o.key,
            message:
                `${o.kind} ${o.name} on ${target.server} belongs to stack ${o.owner}; ` +
                `one stack owns a cluster's NeuralLog objects, so deploy this stack to its own cluster (${PROJECT}:cluster)`,
        }));
    if (problems.length > 0) throw new ConfigError(problems);
}

/** Reads the owner annotation of the platform's cluster-scoped objects (one LIST per kind). */
export async function readLiveOwners(context: string): Promise<LiveOwners> {
    const api = await objectApi(context);
    const owners: LiveOwners = new Map();
    for (const g of Object.values(CLUSTER_SCOPED_KINDS)) {
        let items: any[];
        try {
            items = (await api.list(g.apiVersion, g.kind, undefined, undefined, undefined, undefined, undefined, `app.kubernetes.io/part-of=${PART_OF}`)).items;
        } catch (e: any) {
            // No Tenant CRD yet: no Tenant objects either.
            if (g.kind === "Tenant" && (e?.code === 404 || /404|not found/i.test(String(e?.message)))) continue;
            throw e;
        }
        for (const o of items) owners.set(`${g.kind}/${o.metadata?.name}`, o.metadata?.annotations?.[OWNER_ANNOTATION]);
    }
    return owners;
}
