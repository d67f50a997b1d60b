/**
 * NetworkPolicy bodies, as pure functions. Every namespace starts from default-deny
 * (ingress and egress) and DNS; each allow names exactly the peers and ports it opens.
 * Namespaces are selected by `kubernetes.io/metadata.name`, which the API server sets
 * and no user can forge, rather than the seeds' hand-set `name` label.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { accessLabel, selectorLabels, TENANT_LABEL } from "./labels";
import { NetworkRuleModel, StoreKind, TenantModel, WorkloadModel } from "./model";

type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Port = k8s.types.input.networking.v1.NetworkPolicyPort;

export const INGRESS_NAMESPACE = "ingress-nginx";

export const nsPeer = (name: string): Peer => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ protocol: "TCP", port }));

export function defaultDeny(): Spec {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

export function allowDns(): Spec {
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [nsPeer("kube-system")], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }],
    };
}

/** Ports each store listens on, for the allows between components. */
export const STORE_PORTS: Record<StoreKind, number[]> = {
    redis: [6379],
    postgres: [5432],
    qdrant: [6333, 6334],
    neo4j: [7474, 7687],
};

/** Ingress to a store from pods labelled for it (and its own peers, for replication). */
export function storeIngress(kind: StoreKind, name: string, namespace: string): Spec {
    const selector = selectorLabels({ name, instance: namespace });
    return {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: { matchLabels: { [accessLabel(kind)]: "true" } } }], ports: tcp(...STORE_PORTS[kind]) }],
    };
}

/** Egress from pods labelled for a store to that store. */
export function storeEgress(kind: StoreKind, name: string, namespace: string): Spec {
    return {
        podSelector: { matchLabels: { [accessLabel(kind)]: "true" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: { matchLabels: selectorLabels({ name, instance: namespace }) } }], ports: tcp(...STORE_PORTS[kind]) }],
    };
}

/** Ingress to a workload's port from the given peers. */
export function workloadIngress(w: WorkloadModel, namespace: string, from: Peer[]): Spec {
    return {
        podSelector: { matchLabels: selectorLabels({ name: w.name, instance: namespace }) },
        policyTypes: ["Ingress"],
        ingress: [{ from, ports: tcp(w.port) }],
    };
}

/** The platform server is reached from tenants, the ingress controller and its own namespace. */
export function serverIngress(w: WorkloadModel, namespace: string): Spec {
    return workloadIngress(w, namespace, [
        { podSelector: {} },
        { namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] } },
        nsPeer(INGRESS_NAMESPACE),
    ]);
}

/** Prometheus in the monitoring namespace may scrape metrics ports. */
export function metricsIngress(monitoringNamespace: string, ports: number[]): Spec {
    return { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [nsPeer(monitoringNamespace)], ports: tcp(...ports) }] };
}

/** The seed's `tenant-isolation`, with the tenant's allowed namespaces added. */
export function tenantIsolation(t: TenantModel, systemNamespace: string): Spec {
    return {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [
            {
                from: [nsPeer(t.namespace), nsPeer(systemNamespace), nsPeer(INGRESS_NAMESPACE), ...t.networkPolicy.allowedNamespaces.map(nsPeer)],
            },
        ],
        egress: [
            { to: [nsPeer(t.namespace), nsPeer(systemNamespace)] },
            { ports: [{ protocol: "UDP", port: 53 }, ...tcp(443, 80)] },
        ],
    };
}

/** The seed's `allow-system-services`, plus the server port. */
export function allowSystemServices(systemNamespace: string, serverPort: number): Spec {
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [nsPeer(systemNamespace)], ports: tcp(serverPort, 8080, 5432, 6379) }],
    };
}

/** The tenant's own rules (tenant operator guide): peers by pod labels, in any namespace. */
export function customRules(direction: "Ingress" | "Egress", rules: NetworkRuleModel[]): Spec {
    const entry = (r: NetworkRuleModel) => {
        const peers: Peer[] = [{ namespaceSelector: {}, podSelector: { matchLabels: r.peerLabels } }];
        const ports = r.ports.map((p) => ({ protocol: p.protocol, port: p.port }));
        return direction === "Ingress" ? { from: peers, ports } : { to: peers, ports };
    };
    return direction === "Ingress"
        ? { podSelector: {}, policyTypes: ["Ingress"], ingress: rules.map(entry) }
        : { podSelector: {}, policyTypes: ["Egress"], egress: rules.map(entry) };
}

/**
 * Returns `policy(role, spec)`, which creates NetworkPolicy `<role>` in the namespace as
 * child `<name>-netpol-<role>` and collects it in `sink`.
 */
export function policyFactory(
    name: string,
    namespace: pulumi.Input<string>,
    labels: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
    sink: k8s.networking.v1.NetworkPolicy[],
): (role: string, spec: Spec) => void {
    return (role, spec) => {
        sink.push(new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${role}`, { metadata: { name: role, namespace, labels }, spec }, opts));
    };
}
