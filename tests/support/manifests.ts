/**
 * The Kubernetes objects a program run registered, as the manifests `kubectl apply`
 * would take: what peer linters (checkov) and the kubectl baseline read.
 */
import * as YAML from "yaml";
import type { Registered } from "../unit/harness";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Pulumi secrets unwrapped: a manifest holds plain values. */
function plain(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === "object") {
        if (SECRET_SIG in v) return plain((v as unknown as { value: unknown }).value);
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    }
    return v;
}

/** `kubernetes:apps/v1:Deployment` → `{ apiVersion: "apps/v1", kind: "Deployment" }`; undefined for other types. */
export function typeMeta(type: string): { apiVersion: string; kind: string } | undefined {
    const m = /^kubernetes:([^:]+):([A-Za-z]+)$/.exec(type);
    if (!m || m[2].endsWith("Patch") || m[2] === "ConfigFile" || m[2] === "ConfigGroup") return undefined;
    return { apiVersion: m[1].replace(/^core\//, ""), kind: m[2] };
}

/** The manifests of every Kubernetes object of a run (no providers, components or credentials). */
export function manifestsOf(resources: Registered[]): Record<string, any>[] {
    return resources.flatMap((r) => {
        const meta = typeMeta(r.type);
        if (!meta) return [];
        const { apiVersion: _a, kind: _k, ...rest } = plain(r.inputs) as Record<string, unknown>;
        return [{ ...meta, ...rest }];
    });
}

/** Multi-document YAML, quoted for YAML 1.1 readers (kubectl, checkov read an unquoted "yes" as a boolean). */
export function manifestsYaml(objects: object[]): string {
    return objects.map((o) => YAML.stringify(o, { version: "1.1" })).join("---\n");
}
