/**
 * The NetworkPolicy semantics of the Kubernetes API reference, as a function: given the
 * policies the program registers, may this connection happen? The local cluster has no
 * CNI that enforces policies, so the unit tests ask this question of the rendered
 * objects, the way a reviewer reads them: a connection needs the source's egress and,
 * when the destination is a pod, the destination's ingress.
 */
import * as ipaddr from "ipaddr.js";

export interface Policy {
    namespace: string;
    spec: any;
}

export interface Pod {
    namespace: string;
    labels: Record<string, string>;
    /** Labels of the pod's namespace; `kubernetes.io/metadata.name` is added as the API server does. */
    namespaceLabels?: Record<string, string>;
    ip?: string;
}

/** An address outside any pod (the internet, the metadata endpoint, a Service IP). */
export interface External {
    ip: string;
}

export type Endpoint = Pod | External;
const isPod = (e: Endpoint): e is Pod => "namespace" in e;

function matches(selector: any, labels: Record<string, string>): boolean {
    if (!selector) return true;
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of selector.matchExpressions ?? []) {
        const has = e.key in labels;
        const ok =
            e.operator === "In" ? has && e.values.includes(labels[e.key])
            : e.operator === "NotIn" ? !has || !e.values.includes(labels[e.key])
            : e.operator === "Exists" ? has
            : e.operator === "DoesNotExist" ? !has
            : (() => { throw new Error(`unknown selector operator ${e.operator}`); })();
        if (!ok) return false;
    }
    return true;
}

const nsLabels = (p: Pod) => ({ ...(p.namespaceLabels ?? {}), "kubernetes.io/metadata.name": p.namespace });

function inCidr(ip: string, cidr: string): boolean {
    const addr = ipaddr.parse(ip);
    const range = ipaddr.parseCIDR(cidr);
    return addr.kind() === range[0].kind() && addr.match(range as [never, number]);
}

/** Does one peer entry of a rule select `other`, seen from a policy in `policyNs`? */
function peerMatches(peer: any, policyNs: string, other: Endpoint): boolean {
    if (peer.ipBlock) {
        const ip = isPod(other) ? other.ip : other.ip;
        if (!ip || !inCidr(ip, peer.ipBlock.cidr)) return false;
        return !(peer.ipBlock.except ?? []).some((c: string) => inCidr(ip, c));
    }
    if (!isPod(other)) return false;
    if (peer.namespaceSelector) {
        if (!matches(peer.namespaceSelector, nsLabels(other))) return false;
    } else if (other.namespace !== policyNs) {
        return false;
    }
    return matches(peer.podSelector, other.labels);
}

function portMatches(ports: any[] | undefined, port: number, protocol: string): boolean {
    if (!ports || ports.length === 0) return true;
    return ports.some((p) => {
        if ((p.protocol ?? "TCP") !== protocol) return false;
        if (p.port === undefined) return true;
        if (typeof p.port !== "number") throw new Error(`named port ${p.port}: give the evaluator numbers`);
        return p.endPort ? port >= p.port && port <= p.endPort : port === p.port;
    });
}

function allowedBy(policies: Policy[], subject: Pod, direction: "Ingress" | "Egress", other: Endpoint, port: number, protocol: string): boolean {
    const applying = policies.filter(
        (p) => p.namespace === subject.namespace && matches(p.spec.podSelector, subject.labels) && (p.spec.policyTypes ?? ["Ingress"]).includes(direction),
    );
    if (applying.length === 0) return true;
    return applying.some((p) => {
        const rules: any[] = (direction === "Ingress" ? p.spec.ingress : p.spec.egress) ?? [];
        return rules.some((r) => {
            const peers: any[] | undefined = direction === "Ingress" ? r.from : r.to;
            const peerOk = !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, p.namespace, other));
            return peerOk && portMatches(r.ports, port, protocol);
        });
    });
}

/** May `from` open a connection to `to` on `port`? */
export function connectionAllowed(policies: Policy[], from: Pod, to: Endpoint, port: number, protocol: "TCP" | "UDP" = "TCP"): boolean {
    if (!allowedBy(policies, from, "Egress", to, port, protocol)) return false;
    return isPod(to) ? allowedBy(policies, to, "Ingress", from, port, protocol) : true;
}
