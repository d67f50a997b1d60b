/**
 * Kubernetes recommended labels, on every object the program creates. Selectors use
 * only name + instance, which never change for the life of an object (selectors are immutable).
 */
export const PART_OF = "neurallog";
export const MANAGED_BY = "pulumi";
export const TENANT_LABEL = "neurallog.io/tenant-id";
export const PLAN_LABEL = "neurallog.io/plan";

export interface LabelArgs {
    /** `app.kubernetes.io/name`, e.g. `neurallog-server`, `redis`. */
    name: string;
    /** `app.kubernetes.io/instance`: the namespace the object lives in makes it unique per install. */
    instance: string;
    /** `app.kubernetes.io/component`, e.g. `server`, `cache`, `tenant`. */
    component: string;
    tenantId?: string;
}

export function recommendedLabels(a: LabelArgs): Record<string, string> {
    return {
        "app.kubernetes.io/name": a.name,
        "app.kubernetes.io/instance": a.instance,
        "app.kubernetes.io/component": a.component,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": MANAGED_BY,
        // The seeds' kubectl recipes select by `app=<name>`; keep them working.
        app: a.name,
        ...(a.tenantId ? { [TENANT_LABEL]: a.tenantId } : {}),
    };
}

export function selectorLabels(a: Pick<LabelArgs, "name" | "instance">): Record<string, string> {
    return { "app.kubernetes.io/name": a.name, "app.kubernetes.io/instance": a.instance };
}

/** Pod label that opens the network path to a data store (see network.ts). */
export function accessLabel(store: string): string {
    return `neurallog.io/access-${store}`;
}

/** Pod Security Admission labels: `restricted`, enforced, audited and warned. */
export function podSecurityLabels(level: "restricted" | "baseline"): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": level,
        "pod-security.kubernetes.io/warn": level,
    };
}
