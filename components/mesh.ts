/**
 * Istio, opt-in per stack (`mesh.enabled`): every namespace the stack owns is labelled
 * for sidecar injection and gets a STRICT PeerAuthentication and an allow-nothing
 * AuthorizationPolicy; ALLOW policies then mirror the NetworkPolicies (network.ts) at L7,
 * with identities instead of pod labels: a store accepts only the service accounts of the
 * workloads the config grants it, a tenant namespace only itself, the platform server
 * and the ingress controller. The MLCF summary's VirtualService and DestinationRule
 * (timeouts, retries, least-request balancing, circuit breaking, outlier detection) are
 * rendered for every service whose config has `traffic`.
 *
 * Builders are pure; the system namespace's objects belong to the Mesh component, a
 * tenant's to its TenantSlice (so onboarding one tenant touches only its slice).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { recommendedLabels, selectorLabels } from "./labels";
import { PlatformModel, StoreKind, TenantModel, TrafficModel, WorkloadModel } from "./model";
import { INGRESS_NAMESPACE, STORE_PORTS } from "./network";
import { NamespaceRef } from "./namespace";

/** The label Istio's injector selects namespaces by. */
export const INJECTION_LABEL = { "istio-injection": "enabled" } as const;

/**
 * Service accounts the backup jobs run as (backups.ts); the stores they read from admit them.
 * Defined here, beside the rule that grants them access.
 */
export const BACKUP_ACCOUNTS: Partial<Record<StoreKind, string>> = { qdrant: "backup-qdrant", neo4j: "backup-neo4j" };

export interface MeshObject {
    kind: "PeerAuthentication" | "AuthorizationPolicy" | "VirtualService" | "DestinationRule";
    name: string;
    spec: Record<string, unknown>;
}

const principal = (namespace: string, account: string) => `cluster.local/ns/${namespace}/sa/${account}`;
const ports = (...p: number[]) => p.map(String);

/** STRICT mTLS and deny-by-default for one namespace. */
export function namespaceBaseline(): MeshObject[] {
    return [
        { kind: "PeerAuthentication", name: "default", spec: { mtls: { mode: "STRICT" } } },
        // An ALLOW policy without rules matches nothing: every request not allowed below is denied.
        { kind: "AuthorizationPolicy", name: "allow-nothing", spec: { action: "ALLOW" } },
    ];
}

function allowTo(name: string, namespace: string, workload: string, from: Record<string, string[]>, toPorts: number[]): MeshObject {
    return {
        kind: "AuthorizationPolicy",
        name,
        spec: {
            selector: { matchLabels: selectorLabels({ name: workload, instance: namespace }) },
            action: "ALLOW",
            rules: [{ from: [{ source: from }], to: [{ operation: { ports: ports(...toPorts) } }] }],
        },
    };
}

/**
 * The system namespace at L7: the server and services as their NetworkPolicies allow,
 * each store only to the accounts of the workloads granted it (plus its own members,
 * which run as the store's own account, and its backup job).
 */
export function systemPolicies(m: PlatformModel): MeshObject[] {
    const ns = m.namespace;
    const workloads: WorkloadModel[] = [m.server, ...m.services];
    const objects: MeshObject[] = [...namespaceBaseline()];
    objects.push(allowTo(`${m.server.name}-ingress`, ns, m.server.name, { namespaces: [ns, INGRESS_NAMESPACE] }, [m.server.port]));
    for (const s of m.services) {
        objects.push(allowTo(`${s.name}-ingress`, ns, s.name, { namespaces: [ns, INGRESS_NAMESPACE] }, [s.port]));
    }
    for (const store of m.stores) {
        const granted = workloads.filter((w) => w.accessTo.includes(store.kind)).map((w) => principal(ns, w.name));
        const backup = m.backups && BACKUP_ACCOUNTS[store.kind] && m.backups[store.kind as "qdrant" | "neo4j"] ? [principal(ns, BACKUP_ACCOUNTS[store.kind]!)] : [];
        objects.push(
            allowTo(`${store.name}-ingress`, ns, store.name, { principals: [...granted, ...backup, principal(ns, store.name)] }, STORE_PORTS[store.kind]),
        );
    }
    if (m.observability.enabled) {
        objects.push({
            kind: "AuthorizationPolicy",
            name: "allow-metrics-scrape",
            spec: { action: "ALLOW", rules: [{ from: [{ source: { namespaces: [m.observability.monitoringNamespace] } }], to: [{ operation: { methods: ["GET"], paths: ["/metrics"] } }] }] },
        });
    }
    return objects;
}

/** A tenant namespace at L7, mirroring tenantIsolation and the custom ingress rules. */
export function tenantPolicies(t: TenantModel, systemNamespace: string): MeshObject[] {
    const rules: Record<string, unknown>[] = [
        { from: [{ source: { namespaces: [t.namespace] } }] },
        {
            from: [{ source: { namespaces: [systemNamespace, INGRESS_NAMESPACE, ...t.networkPolicy.allowedNamespaces] } }],
            to: [{ operation: { ports: ports(t.server.port) } }],
        },
        // Pod labels have no L7 equivalent: a custom rule admits the peer namespaces on its ports.
        ...t.networkPolicy.ingressRules.map((r) => ({
            from: [{ source: { namespaces: r.namespaces.length ? [...r.namespaces] : [t.namespace] } }],
            to: [{ operation: { ports: r.ports.map((p) => String(p.port)) } }],
        })),
    ];
    return [...namespaceBaseline(), { kind: "AuthorizationPolicy", name: "tenant-isolation", spec: { action: "ALLOW", rules } }];
}

/** The system side of a tenant's path to the platform server; owned by the tenant's slice. */
export function serverFromTenant(server: Pick<WorkloadModel, "name" | "port">, systemNamespace: string, tenantNamespace: string): MeshObject {
    return allowTo(`${server.name}-from-${tenantNamespace}`, systemNamespace, server.name, { namespaces: [tenantNamespace] }, [server.port]);
}

/** The MLCF summary's VirtualService and DestinationRule for one service. */
export function trafficObjects(w: Pick<WorkloadModel, "name" | "port">, namespace: string, t: TrafficModel): MeshObject[] {
    const host = `${w.name}.${namespace}.svc.cluster.local`;
    return [
        {
            kind: "VirtualService",
            name: w.name,
            spec: {
                hosts: [host],
                http: [
                    {
                        route: [{ destination: { host, port: { number: w.port } } }],
                        timeout: t.timeout,
                        retries: { attempts: t.retries.attempts, perTryTimeout: t.retries.perTryTimeout, retryOn: t.retries.retryOn },
                    },
                ],
            },
        },
        {
            kind: "DestinationRule",
            name: w.name,
            spec: {
                host,
                trafficPolicy: {
                    loadBalancer: { simple: t.loadBalancer },
                    connectionPool: {
                        tcp: { maxConnections: t.connectionPool.maxConnections },
                        http: { http1MaxPendingRequests: t.connectionPool.http1MaxPendingRequests, maxRequestsPerConnection: t.connectionPool.maxRequestsPerConnection },
                    },
                    outlierDetection: { ...t.outlierDetection },
                    tls: { mode: "ISTIO_MUTUAL" },
                },
            },
        },
    ];
}

const API_VERSION: Record<MeshObject["kind"], string> = {
    PeerAuthentication: "security.istio.io/v1",
    AuthorizationPolicy: "security.istio.io/v1",
    VirtualService: "networking.istio.io/v1",
    DestinationRule: "networking.istio.io/v1",
};

/** Registers mesh objects in a namespace; logical names `${name}-mesh-<kind>-<object>`. */
export function createMeshObjects(
    name: string,
    namespace: pulumi.Input<string>,
    labels: Record<string, string>,
    objects: MeshObject[],
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource[] {
    return objects.map(
        (o) =>
            new k8s.apiextensions.CustomResource(
                `${name}-mesh-${o.kind.toLowerCase()}-${o.name}`,
                { apiVersion: API_VERSION[o.kind], kind: o.kind, metadata: { name: o.name, namespace, labels }, spec: o.spec },
                opts,
            ),
    );
}

export interface MeshArgs {
    model: PlatformModel;
    namespace: NamespaceRef;
}

/** The system namespace's mesh objects (tenants' are in their slices). */
export class Mesh extends pulumi.ComponentResource {
    public readonly objects: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: MeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:mesh:Mesh", name, {}, opts);
        const m = args.model;
        const labels = recommendedLabels({ name: "neurallog", instance: m.namespace, component: "mesh" });
        const objects = [
            ...systemPolicies(m),
            ...m.services.flatMap((s) => (s.traffic ? trafficObjects(s, m.namespace, s.traffic) : [])),
        ];
        this.objects = createMeshObjects(name, args.namespace.output, labels, objects, { parent: this });
        this.registerOutputs({ objects: this.objects });
    }
}
