/**
 * Field ownership: Pulumi state is the record of what the cluster should hold, so every
 * object the program manages takes its fields back from whoever changed them.
 *
 * The provider applies with server-side apply. `kubectl edit/patch/label/scale/apply`
 * make their own field managers owners of the fields they touch, and a later apply
 * by Pulumi would fail with a field conflict. `pulumi.com/patchForce` makes the
 * provider force its apply, which takes ownership back and sets the values state holds.
 */
import * as pulumi from "@pulumi/pulumi";
import { CLUSTER_SCOPED_KINDS, OWNER_ANNOTATION } from "./cluster";

export const PATCH_FORCE = "pulumi.com/patchForce";

/** True for Kubernetes objects (not the provider resource itself). */
export function isKubernetesObject(type: string): boolean {
    return type.startsWith("kubernetes:") && !type.startsWith("kubernetes:index:") && type !== "pulumi:providers:kubernetes";
}

/**
 * Pure: the object's props with `extra` annotations merged in. Annotation values may be
 * Outputs; only an annotations map that is itself an Output has to be wrapped.
 */
export function withAnnotations(props: Record<string, any>, extra: Record<string, pulumi.Input<string>>): Record<string, any> {
    const metadata = props.metadata ?? {};
    const annotations = pulumi.Output.isInstance(metadata.annotations)
        ? pulumi.output(metadata.annotations).apply((a: Record<string, string> | undefined) => ({ ...(a ?? {}), ...extra }))
        : { ...(metadata.annotations ?? {}), ...extra };
    return { ...props, metadata: { ...metadata, annotations } };
}

/** Pure: the object's props with the ownership annotation added. */
export function withOwnershipAnnotations(props: Record<string, any>): Record<string, any> {
    return withAnnotations(props, { [PATCH_FORCE]: "true" });
}

/**
 * Registers the stack-wide transformation; call before the first Kubernetes object.
 * Cluster-scoped objects also carry the stack that owns them (cluster.ts).
 */
export function enforceFieldOwnership(stack: string): void {
    pulumi.runtime.registerStackTransformation((args) => {
        if (!isKubernetesObject(args.type)) return undefined;
        const props = withOwnershipAnnotations(args.props);
        return { props: CLUSTER_SCOPED_KINDS[args.type] ? withAnnotations(props, { [OWNER_ANNOTATION]: stack }) : props, opts: args.opts };
    });
}
