/**
 * The Kubernetes objects the program registers for a stack, exactly as it registers them
 * (rendered under Pulumi mocks by tests/unit/harness.ts), as plain manifests: secret
 * markers unwrapped, cluster-scoped prerequisites first.
 */
import { isSecretValue, runStack, SECRET_SIG } from "../unit/harness";

export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    [key: string]: unknown;
}

function unwrap(v: unknown): unknown {
    if (isSecretValue(v)) return unwrap((v as Record<string, unknown>).value);
    if (Array.isArray(v)) return v.map(unwrap);
    if (v && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).filter(([k]) => k !== SECRET_SIG).map(([k, x]) => [k, unwrap(x)]));
    }
    return v;
}

/** Apply order: what other objects need to exist first. */
const PHASES = [
    ["CustomResourceDefinition", "Namespace", "ClusterRole", "StorageClass"],
    ["ResourceQuota", "LimitRange", "ServiceAccount", "Secret", "ConfigMap", "Role", "NetworkPolicy"],
    ["*"],
    ["Tenant"],
];

export async function renderStack(stack: string): Promise<Manifest[][]> {
    const run = await runStack(stack);
    if (run.error) throw run.error;
    const manifests = run.resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.inputs?.kind)
        .map((r) => unwrap(r.inputs) as Manifest);
    const phaseOf = (m: Manifest) => {
        const i = PHASES.findIndex((p) => p.includes(m.kind));
        return i === -1 ? PHASES.findIndex((p) => p.includes("*")) : i;
    };
    return PHASES.map((_, i) => manifests.filter((m) => phaseOf(m) === i));
}
