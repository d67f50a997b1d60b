/**
 * Policies over the objects a stack renders, one per file, named after what it checks
 * (in the manner of pulumi/compliance-policies). Each returns its violations, each
 * naming the object and the field, so a failed check says what to fix.
 */

/** One registered resource: Pulumi type token, logical name, inputs and options. */
export interface RenderedObject {
    type: string;
    name: string;
    inputs: any;
    opts?: { protect?: boolean; retainOnDelete?: boolean };
}

export interface PolicyContext {
    environment: string;
    /** Values of the credentials the stack generated (from state), for secrets-only-generated-credentials. */
    generatedCredentials?: string[];
    /** Registries production images may come from (`neurallog:imageRegistries`). */
    allowedRegistries?: string[];
    /**
     * The objects are the engine's state, as a policy pack sees them (policy-pack/index.ts):
     * what the API server returned, with every secret already unwrapped and a Secret's
     * stringData folded into base64 `data`. Unit tests check the inputs the program wrote.
     */
    fromState?: boolean;
}

/** What a policy is told about the stack: the policy pack's config (scripts/policy-config.ts). */
export type StackFacts = Pick<PolicyContext, "environment" | "allowedRegistries">;

export interface Policy {
    /** The file name, e.g. `containers-read-only-root-filesystem`. */
    name: string;
    description: string;
    validate(objects: RenderedObject[], context: PolicyContext): string[];
}

export const WORKLOAD_TYPES = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];

export function where(o: RenderedObject): string {
    const m = o.inputs?.metadata ?? {};
    return `${o.type.replace(/^kubernetes:/, "")} ${m.namespace ? `${m.namespace}/` : ""}${m.name ?? o.name}`;
}

export const CRONJOB_TYPE = "kubernetes:batch/v1:CronJob";

/** Every pod template with its owner (a CronJob's sits in its job template), for pod- and container-level policies. */
export function podTemplates(objects: RenderedObject[]): { owner: RenderedObject; spec: any }[] {
    return [
        ...objects.filter((o) => WORKLOAD_TYPES.includes(o.type)).map((owner) => ({ owner, spec: owner.inputs.spec?.template?.spec ?? {} })),
        ...objects.filter((o) => o.type === CRONJOB_TYPE).map((owner) => ({ owner, spec: owner.inputs.spec?.jobTemplate?.spec?.template?.spec ?? {} })),
    ];
}

export function containers(objects: RenderedObject[]): { at: string; container: any; pod: any }[] {
    return podTemplates(objects).flatMap(({ owner, spec }) =>
        [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((container: any) => ({
            at: `${where(owner)} container ${container.name}`,
            container,
            pod: spec,
        })),
    );
}

export const ofType = (objects: RenderedObject[], type: string) => objects.filter((o) => o.type === `kubernetes:${type}`);

/** Namespaces the rendered objects mark as a tenant's (`neurallog.io/tenant-id`). */
export function tenantNamespaces(objects: RenderedObject[]): Set<string> {
    return new Set(
        ofType(objects, "core/v1:Namespace")
            .filter((n) => n.inputs.metadata?.labels?.["neurallog.io/tenant-id"])
            .map((n) => n.inputs.metadata.name),
    );
}
