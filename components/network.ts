/**
 * NetworkPolicy bodies, as pure functions. Every namespace starts from default-deny
 * (ingress and egress) and DNS; each allow names exactly the peers and ports it opens.
 * Namespaces are selected by `kubernetes.io/metadata.name`, which the API server sets
 * and no user can forge, rather than the seeds' hand-set `name` label.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { accessLabel, selectorLabels } from "./labels";
import { NetworkModel, NetworkRuleModel, StoreKind, TenantModel, WorkloadModel } from "./model";

type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Port = k8s.types.input.networking.v1.NetworkPolicyPort;
type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

export const INGRESS_NAMESPACE = "ingress-nginx";

/** Set by the API server from the namespace's name; no user can set it to anything else. */
export const NAMESPACE_NAME = "kubernetes.io/metadata.name";
export const nsPeer = (name: string): Peer => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: name } } });
const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ protocol: "TCP", port }));

export function defaultDeny(): Spec {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/** DNS to the cluster DNS pods only: a whole-namespace peer would open every kube-system pod on port 53. */
export function dnsEgress(dns: NetworkModel["dns"]): EgressRule {
    return {
        to: [{ ...nsPeer(dns.namespace), podSelector: { matchLabels: { ...dns.podLabels } } }],
        ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
    };
}

/** The system namespace's DNS; a tenant namespace has the same rule in `tenant-isolation`. */
export function allowDns(dns: NetworkModel["dns"]): Spec {
    return { podSelector: {}, policyTypes: ["Egress"], egress: [dnsEgress(dns)] };
}

/**
 * Web egress (TCP 80/443) to the stack's `network.egressCidrs`, each with the cluster's
 * own ranges and link-local (cloud metadata) cut out; config.ts has already refused a
 * range that lies wholly inside an excluded one. Absent when the stack allows none.
 */
export function webEgress(network: NetworkModel): EgressRule | undefined {
    if (network.egress.length === 0) return undefined;
    return { to: network.egress.map((e) => ({ ipBlock: { cidr: e.cidr, ...(e.except.length ? { except: [...e.except] } : {}) } })), ports: tcp(443, 80) };
}

/** Ports each store listens on, for the allows between components. */
export const STORE_PORTS: Record<StoreKind, number[]> = {
    redis: [6379],
    postgres: [5432],
    // 6335: cluster members among themselves (they carry the access label too).
    qdrant: [6333, 6334, 6335],
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
export function workloadIngress(w: Pick<WorkloadModel, "name" | "port">, namespace: string, from: Peer[]): Spec {
    return {
        podSelector: { matchLabels: selectorLabels({ name: w.name, instance: namespace }) },
        policyTypes: ["Ingress"],
        ingress: [{ from, ports: tcp(w.port) }],
    };
}

/**
 * The platform server is reached from its own namespace and the ingress controller;
 * each tenant namespace is admitted by its own policy (serverAccessFromTenant), so
 * onboarding adds an object instead of rewriting a shared one.
 */
export function serverIngress(w: WorkloadModel, namespace: string): Spec {
    return workloadIngress(w, namespace, [{ podSelector: {} }, nsPeer(INGRESS_NAMESPACE)]);
}

/**
 * One tenant namespace admitted to the platform server, by name: a label such as the
 * tenant id can be set on any namespace by whoever may label it, the name cannot be forged.
 */
export function serverAccessFromTenant(w: Pick<WorkloadModel, "name" | "port">, systemNamespace: string, tenantNamespace: string): Spec {
    return workloadIngress(w, systemNamespace, [nsPeer(tenantNamespace)]);
}

/** Prometheus in the monitoring namespace may scrape metrics ports. */
export function metricsIngress(monitoringNamespace: string, ports: number[]): Spec {
    return { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [nsPeer(monitoringNamespace)], ports: tcp(...ports) }] };
}

/**
 * The seed's `tenant-isolation`, narrowed: the tenant's own namespace on every port both
 * ways; from the system namespace, the ingress controller and the namespaces the tenant
 * allows, only the tenant server's port; out, as in the seed, DNS and the web, but DNS to
 * the cluster DNS pods only and the web to the stack's `network.egressCidrs` only. One
 * object rather than a policy per rule: NetworkPolicies add up, so the rules mean the
 * same in one, and each object costs every preview and up (README: Scale).
 */
export function tenantIsolation(t: TenantModel, systemNamespace: string, network: NetworkModel): Spec {
    const web = webEgress(network);
    return {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [
            { from: [nsPeer(t.namespace)] },
            {
                from: [nsPeer(systemNamespace), nsPeer(INGRESS_NAMESPACE), ...t.networkPolicy.allowedNamespaces.map(nsPeer)],
                ports: tcp(t.server.port),
            },
        ],
        egress: [{ to: [nsPeer(t.namespace)] }, dnsEgress(network.dns), ...(web ? [web] : [])],
    };
}

/**
 * The seed's `allow-system-services`, narrowed to what a tenant is granted there: the
 * platform server's pods on its port. The seed also opened 8080, 5432 and 6379 to the
 * whole namespace; the platform's stores admit only its own workloads anyway.
 */
export function allowSystemServices(systemNamespace: string, server: Pick<WorkloadModel, "name" | "port">): Spec {
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [{ ...nsPeer(systemNamespace), podSelector: { matchLabels: selectorLabels({ name: server.name, instance: systemNamespace }) } }],
                ports: tcp(server.port),
            },
        ],
    };
}

/**
 * The tenant's own rules (tenant operator guide). Each names its peers — pod labels, in
 * the namespaces it lists by name, or in the tenant's own namespace when it lists none —
 * and its ports; config.ts refuses a rule without either, which would open everything.
 */
export function customRules(direction: "Ingress" | "Egress", rules: NetworkRuleModel[], ownNamespace: string): Spec {
    const entry = (r: NetworkRuleModel) => {
        const namespaces = r.namespaces.length ? r.namespaces : [ownNamespace];
        const peers: Peer[] = namespaces.map((n) => ({
            ...nsPeer(n),
            ...(Object.keys(r.podLabels).length ? { podSelector: { matchLabels: { ...r.podLabels } } } : {}),
        }));
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
