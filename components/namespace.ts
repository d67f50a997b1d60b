/**
 * Namespaces: the system namespace and every tenant namespace carry the recommended
 * labels, Pod Security Admission labels (the seeds' PodSecurityPolicy was removed in
 * Kubernetes 1.25) and the seed's `name` label that its NetworkPolicy examples select on.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podSecurityLabels, recommendedLabels } from "./labels";

/** A namespace by name (known at preview, used in labels) and the resource (for ordering). */
export interface NamespaceRef {
    name: string;
    resource: k8s.core.v1.Namespace;
    /** `metadata.name` as an output, so objects in it wait for its creation. */
    output: pulumi.Output<string>;
}

export function namespaceLabels(name: string, component: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
        ...recommendedLabels({ name: "neurallog", instance: name, component }),
        name,
        ...podSecurityLabels("restricted"),
        ...extra,
    };
}

export function createNamespace(
    logicalName: string,
    name: string,
    labels: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
    annotations?: Record<string, string>,
): NamespaceRef {
    const resource = new k8s.core.v1.Namespace(logicalName, { metadata: { name, labels, annotations } }, opts);
    return { name, resource, output: resource.metadata.name };
}
