/**
 * Drift the Kubernetes provider cannot see: entries appended to atomic lists.
 *
 * On refresh the provider prunes the live object to the shape of the inputs it last
 * applied, and prunes a list to the length it had: a rule that `kubectl patch` appended
 * to a Role, a subject added to a RoleBinding or a peer added to a NetworkPolicy is cut
 * off before the diff, so `preview --refresh` reports nothing and `up --refresh` leaves
 * the widened object in place.
 *
 * So the program reads the live objects of the kinds whose lists grant access (one
 * LIST per kind, by the platform's label), and where a live list is longer than the
 * program's, it bumps an annotation on that object. The annotation is an ordinary
 * input, so the preview shows an update of exactly that object, and the forced
 * server-side apply (ownership.ts) replaces the whole atomic list with the program's.
 * The counter is read back from the live object, so once healed it stays the same and
 * the next preview is clean.
 */
import * as pulumi from "@pulumi/pulumi";
import { objectApi } from "./cluster";
import { PART_OF } from "./labels";
import { withAnnotations } from "./ownership";

export const RECONCILE_ANNOTATION = "neurallog.io/reconcile-generation";

/** Kinds whose atomic lists grant access or set limits, by Pulumi type token. */
export const GUARDED_KINDS: Record<string, { apiVersion: string; kind: string; namespaced: boolean }> = {
    "kubernetes:rbac.authorization.k8s.io/v1:Role": { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", namespaced: true },
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespaced: true },
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", namespaced: false },
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        namespaced: false,
    },
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespaced: true },
    "kubernetes:core/v1:LimitRange": { apiVersion: "v1", kind: "LimitRange", namespaced: true },
};

/** Fields that belong to the server, never compared. */
const SERVER_FIELDS = new Set(["status", "managedFields", "ownerReferences", "finalizers"]);

/**
 * Pure: paths where the live object holds list entries beyond the desired ones.
 * Walks the desired object (what the program declares) and the live one together.
 */
export function appendedEntries(live: unknown, desired: unknown, at = ""): string[] {
    if (Array.isArray(desired)) {
        if (!Array.isArray(live)) return [];
        const extra = live.length > desired.length ? [`${at}[${desired.length}..${live.length - 1}]`] : [];
        return [...extra, ...desired.flatMap((d, i) => (i < live.length ? appendedEntries(live[i], d, `${at}[${i}]`) : []))];
    }
    if (desired && typeof desired === "object") {
        if (!live || typeof live !== "object") return [];
        return Object.entries(desired as Record<string, unknown>).flatMap(([k, d]) =>
            SERVER_FIELDS.has(k) || k === "metadata" ? [] : appendedEntries((live as Record<string, unknown>)[k], d, `${at}.${k}`),
        );
    }
    return [];
}

export interface LiveObject {
    metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
    [key: string]: unknown;
}

/** Live objects by `Kind/namespace/name`. */
export type LiveIndex = Map<string, LiveObject>;
export const liveKey = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ""}/${name}`;

/** Pure: the annotation value for one object, given what is live. */
export function reconcileGeneration(live: LiveObject | undefined, desired: Record<string, unknown>): string {
    const current = Number(live?.metadata?.annotations?.[RECONCILE_ANNOTATION] ?? "0");
    const generation = Number.isInteger(current) && current >= 0 ? current : 0;
    return String(live && appendedEntries(live, desired).length > 0 ? generation + 1 : generation);
}

/**
 * Reads the guarded kinds' live objects of the platform from the cluster the provider
 * uses (the stack's context of the ambient kubeconfig). One LIST per kind.
 */
export async function readGuardedObjects(context: string): Promise<LiveIndex> {
    const api = await objectApi(context);
    const index: LiveIndex = new Map();
    const kinds = Object.values(GUARDED_KINDS);
    const lists = await Promise.all(kinds.map((g) => api.list(g.apiVersion, g.kind, undefined, undefined, undefined, undefined, undefined, `app.kubernetes.io/part-of=${PART_OF}`)));
    lists.forEach((list, i) => {
        for (const o of list.items) index.set(liveKey(kinds[i].kind, o.metadata?.namespace, o.metadata?.name ?? ""), o as LiveObject);
    });
    return index;
}

/**
 * Collects the Outputs inside `value`, walking plain objects and arrays; false when it
 * holds anything else `pulumi.output` would look into (a promise, a class instance).
 */
function collectOutputs(value: unknown, found: pulumi.Output<unknown>[]): boolean {
    if (value === null || typeof value !== "object") return true;
    if (pulumi.Output.isInstance(value)) {
        found.push(value);
        return true;
    }
    if (Array.isArray(value)) return value.every((v) => collectOutputs(v, found));
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value).every((v) => collectOutputs(v, found));
}

/** A copy of plain `value` with each Output replaced by its value in `values`. */
function substituted(value: unknown, values: Map<unknown, unknown>): unknown {
    if (value === null || typeof value !== "object") return value;
    if (values.has(value)) return values.get(value);
    if (Array.isArray(value)) return value.map((v) => substituted(v, values));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituted(v, values)]));
}

/**
 * `f` of `props` resolved, as `pulumi.output(props).apply(f)` gives it (the same value,
 * known, secret and resources), with one Output in all: the SDK's way makes two for each
 * Output inside and one for each object and array holding one, and a guarded object's
 * namespace is an Output. Plain props give `f(props)` itself.
 */
export function applyResolved<T>(props: Record<string, unknown>, f: (p: Record<string, any>) => T): pulumi.Input<T> {
    const inner: pulumi.Output<unknown>[] = [];
    if (!collectOutputs(props, inner)) return pulumi.output(props).apply(f);
    if (inner.length === 0) return f(props);
    const resolve = (values: unknown[]) => f(substituted(props, new Map(inner.map((o, i) => [o, values[i]]))) as Record<string, any>);
    return inner.length === 1 ? inner[0].apply((v) => resolve([v])) : pulumi.all(inner).apply(resolve);
}

/** Pure: the object's props with the reconcile annotation, computed against `live`. */
export function withReconcileAnnotation(type: string, props: Record<string, any>, live: LiveIndex): Record<string, any> {
    const g = GUARDED_KINDS[type];
    if (!g) return props;
    const generation = applyResolved(props, (p) =>
        reconcileGeneration(live.get(liveKey(g.kind, g.namespaced ? p.metadata?.namespace : undefined, p.metadata?.name ?? "")), p),
    );
    return withAnnotations(props, { [RECONCILE_ANNOTATION]: generation });
}

/** Registers the transformation; `live` is empty for a stack that has never been deployed. */
export function reconcileAppendedEntries(live: LiveIndex): void {
    pulumi.runtime.registerStackTransformation((args) => {
        if (!GUARDED_KINDS[args.type]) return undefined;
        return { props: withReconcileAnnotation(args.type, args.props, live), opts: args.opts };
    });
}
