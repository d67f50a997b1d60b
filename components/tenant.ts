/**
 * TenantSlice: everything one tenant gets — namespace `tenant-<id>`, ResourceQuota and
 * LimitRange from its plan, NetworkPolicies, ServiceAccount + read-only Role, its own
 * Redis (the DataStores Redis component, whose claims are the tenant's data volumes) and
 * server (the Workload component), and the `Tenant` object that lists it in `kubectl get tenants`.
 *
 * Every logical name derives from the tenant id and a role, so adding or removing one
 * tenant never renames anything of another.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SNAPSHOT_RULES } from "./backups";
import { Redis, redisDefinition } from "./datastores/redis";
import { createStoreClaims } from "./datastores/store";
import { PLAN_LABEL, recommendedLabels, TENANT_LABEL } from "./labels";
import { NetworkModel, TenantModel, WorkloadModel } from "./model";
import { createMeshObjects, INJECTION_LABEL, MeshObject, serverFromTenant, tenantPolicies } from "./mesh";
import { createNamespace, namespaceLabels, NamespaceRef } from "./namespace";
import { allowSystemServices, customRules, serverAccessFromTenant, defaultDeny, policyFactory, tenantIsolation } from "./network";
import { LimitRangeValues } from "./plans";
import { Workload } from "./workload";

export interface TenantSliceArgs {
    /** The resolved tenant (plan applied, quota checked). */
    tenant: TenantModel;
    /** The platform's system namespace, which tenants may reach. */
    systemNamespace: NamespaceRef;
    /** The platform server tenants call: its pods are the only ones they reach in the system namespace. */
    server: Pick<WorkloadModel, "name" | "port">;
    /** Cluster DNS and the web egress the stack allows. */
    network: NetworkModel;
    /** The Tenant CRD; Tenant objects are created only after it. */
    tenantCrd: k8s.apiextensions.v1.CustomResourceDefinition;
    /**
     * The stack's Istio mesh is on: the namespace is labelled for injection and gets its
     * mTLS and AuthorizationPolicies here, so onboarding stays inside the slice (mesh.ts).
     * @default false
     */
    mesh?: boolean;
    /**
     * The stack's VolumeSnapshot job, which this slice lets snapshot the tenant's data
     * volumes (its own Role in the tenant namespace: claims and snapshots, nothing else).
     */
    snapshotAccount?: { namespace: string; name: string };
}

/** Pure: a tenant namespace's labels (the same whether the slice is whole or moving away). */
export function tenantNamespaceLabels(t: TenantModel, mesh = false): Record<string, string> {
    return namespaceLabels(t.namespace, "tenant", { [TENANT_LABEL]: t.tenantId, [PLAN_LABEL]: t.planId, ...(mesh ? INJECTION_LABEL : {}) });
}

/** The annotations of a tenant namespace. No billing e-mail: namespaces are readable by far more roles than Tenant objects. */
const namespaceAnnotations = (t: TenantModel) => ({ "neurallog.io/display-name": t.displayName });

/** Pure: LimitRange limits from a plan's values. */
export function limitRangeSpec(lr: LimitRangeValues): k8s.types.input.core.v1.LimitRangeSpec {
    return {
        limits: [
            {
                type: "Container",
                default: { ...lr.container.default },
                defaultRequest: { ...lr.container.defaultRequest },
                max: { ...lr.container.max },
                min: { ...lr.container.min },
            },
            { type: "Pod", max: { ...lr.pod.max } },
            { type: "PersistentVolumeClaim", max: { storage: lr.pvc.max }, min: { storage: lr.pvc.min } },
        ],
    };
}

/**
 * The seed's tenant-role, read-only on the tenant's own namespace, without Secrets: the
 * seed's get/list/watch on `secrets` let the tenant token read every Secret there (the
 * Redis password included). The tenant's workloads get their credentials from the pod
 * spec, so the token needs none.
 */
export const TENANT_ROLE_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
    { apiGroups: [""], resources: ["pods", "services", "configmaps"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["apps"], resources: ["deployments", "replicasets"], verbs: ["get", "list", "watch"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "list"] },
    { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
];

export class TenantSlice extends pulumi.ComponentResource {
    public readonly namespace: NamespaceRef;
    public readonly quota: k8s.core.v1.ResourceQuota;
    public readonly limitRange: k8s.core.v1.LimitRange;
    public readonly networkPolicies: k8s.networking.v1.NetworkPolicy[] = [];
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;
    public readonly role: k8s.rbac.v1.Role;
    public readonly roleBinding: k8s.rbac.v1.RoleBinding;
    public readonly redis: Redis;
    public readonly server: Workload;
    public readonly authService?: Workload;
    public readonly tenantObject: k8s.apiextensions.CustomResource;
    public readonly meshObjects: k8s.apiextensions.CustomResource[] = [];

    constructor(name: string, args: TenantSliceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:tenant:TenantSlice", name, {}, opts);
        const t = args.tenant;
        const parent = { parent: this };
        // The namespace (and with it everything in it) cannot be deleted by dropping the tenant
        // from config: it is protected, or (when decommissioned on purpose) left in the
        // cluster on delete. The tenant's data volumes, its Redis claims, are kept the same way (volumes.ts).
        const keep = { parent: this, protect: t.protect, retainOnDelete: t.retainOnDelete };
        const labels = (component: string, n = "tenant") => recommendedLabels({ name: n, instance: t.namespace, component, tenantId: t.tenantId });

        this.namespace = createNamespace(
            `${name}-namespace`,
            t.namespace,
            tenantNamespaceLabels(t, args.mesh),
            keep,
            namespaceAnnotations(t),
        );
        const namespace = this.namespace.output;

        // Quota first: pods created before it would escape it.
        this.quota = new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            { metadata: { name: "tenant-quota", namespace, labels: labels("quota") }, spec: { hard: { ...t.quota } } },
            parent,
        );
        this.limitRange = new k8s.core.v1.LimitRange(
            `${name}-limits`,
            { metadata: { name: "tenant-container-limits", namespace, labels: labels("quota") }, spec: limitRangeSpec(t.limitRange) },
            parent,
        );
        const guards = [this.quota, this.limitRange];

        if (t.networkPolicy.enabled) {
            const policy = policyFactory(name, namespace, labels("network-policy"), parent, this.networkPolicies);
            policy("default-deny", defaultDeny());
            policy("tenant-isolation", tenantIsolation(t, args.systemNamespace.name, args.network));
            policy("allow-system-services", allowSystemServices(args.systemNamespace.name, args.server));
            // The server's side of the path, in the system namespace: this tenant's namespace, by name.
            const serverSide = policyFactory(name, args.systemNamespace.output, labels("network-policy"), parent, this.networkPolicies);
            serverSide(`${args.server.name}-from-${t.namespace}`, serverAccessFromTenant(args.server, args.systemNamespace.name, t.namespace));
            if (t.networkPolicy.ingressRules.length > 0) policy("custom-ingress", customRules("Ingress", t.networkPolicy.ingressRules, t.namespace));
            if (t.networkPolicy.egressRules.length > 0) policy("custom-egress", customRules("Egress", t.networkPolicy.egressRules, t.namespace));
        }

        if (args.mesh) {
            this.meshObjects = [
                ...createMeshObjects(name, namespace, labels("mesh"), tenantPolicies(t, args.systemNamespace.name), parent),
                ...createMeshObjects(name, args.systemNamespace.output, labels("mesh"), [serverFromTenant(args.server, args.systemNamespace.name, t.namespace)] as MeshObject[], parent),
            ];
        }

        if (args.snapshotAccount) {
            const snapshots = new k8s.rbac.v1.Role(
                `${name}-backup-snapshots-role`,
                { metadata: { name: args.snapshotAccount.name, namespace, labels: labels("backup") }, rules: SNAPSHOT_RULES },
                parent,
            );
            new k8s.rbac.v1.RoleBinding(
                `${name}-backup-snapshots-rolebinding`,
                {
                    metadata: { name: args.snapshotAccount.name, namespace, labels: labels("backup") },
                    subjects: [{ kind: "ServiceAccount", ...args.snapshotAccount }],
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: snapshots.metadata.name },
                },
                parent,
            );
        }

        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name: "tenant-service-account", namespace, labels: labels("rbac") }, automountServiceAccountToken: false },
            parent,
        );
        this.role = new k8s.rbac.v1.Role(
            `${name}-role`,
            { metadata: { name: "tenant-role", namespace, labels: labels("rbac") }, rules: TENANT_ROLE_RULES },
            parent,
        );
        this.roleBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-rolebinding`,
            {
                metadata: { name: "tenant-role-binding", namespace, labels: labels("rbac") },
                subjects: [{ kind: "ServiceAccount", name: "tenant-service-account", namespace: t.namespace }],
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: this.role.metadata.name },
            },
            { parent: this, dependsOn: [this.serviceAccount] },
        );

        this.redis = new Redis(`${name}-redis`, { namespace: this.namespace, store: t.redis, tenantId: t.tenantId }, { parent: this, dependsOn: guards });
        this.server = new Workload(
            `${name}-server`,
            { namespace: this.namespace, spec: t.server, tenantId: t.tenantId, dependsOn: [...guards, this.redis.secret] },
            parent,
        );
        if (t.authService) {
            this.authService = new Workload(
                `${name}-auth`,
                { namespace: this.namespace, spec: t.authService, tenantId: t.tenantId, dependsOn: [...guards, this.redis.secret] },
                parent,
            );
        }

        // Created last, once the tenant's workloads are up: listed in `kubectl get tenants` only
        // when its slice exists. No status: nothing here observes the tenant (crd.ts).
        this.tenantObject = new k8s.apiextensions.CustomResource(
            `${name}-tenant`,
            {
                apiVersion: "neurallog.io/v1",
                kind: "Tenant",
                metadata: { name: t.tenantId, labels: { ...labels("tenant"), [PLAN_LABEL]: t.planId } },
                spec: t.spec,
            } as k8s.apiextensions.CustomResourceArgs,
            {
                parent: this,
                dependsOn: [args.tenantCrd, this.server.deployment, this.redis.statefulSet, ...(this.authService ? [this.authService.deployment] : [])],
            },
        );

        this.registerOutputs({
            namespace: this.namespace.output,
            quota: this.quota,
            limitRange: this.limitRange,
            networkPolicies: this.networkPolicies,
            serviceAccount: this.serviceAccount,
            role: this.role,
            roleBinding: this.roleBinding,
            redis: this.redis,
            server: this.server,
            authService: this.authService,
            tenantObject: this.tenantObject,
            meshObjects: this.meshObjects,
        });
    }
}

/** The data claims of a moved tenant's Redis, under the Redis component's own type and name. */
class RedisRemains extends pulumi.ComponentResource {
    public readonly claims: k8s.core.v1.PersistentVolumeClaim[];

    constructor(name: string, t: TenantModel, namespace: NamespaceRef, opts: pulumi.ComponentResourceOptions) {
        super("neurallog:datastores:Redis", name, {}, opts);
        const labels = recommendedLabels({ name: t.redis.name, instance: t.namespace, component: redisDefinition(t.redis).component, tenantId: t.tenantId });
        this.claims = createStoreClaims(name, t.redis, namespace, labels, this);
        this.registerOutputs({ claims: this.claims });
    }
}

/**
 * What a shard keeps of a tenant moving to another shard (`moveTo`, components/shards.ts):
 * its namespace and data volumes, under the very names and inputs of its TenantSlice (same
 * type token, same children), now unprotected and retained. This update deletes the rest
 * of the slice; the target shard creates it. When the entry then leaves this stack's file,
 * the two stay in this cluster, where the tenant's data can be copied from.
 */
export class MovedTenant extends pulumi.ComponentResource {
    public readonly namespace: NamespaceRef;
    public readonly claims: k8s.core.v1.PersistentVolumeClaim[];

    constructor(name: string, args: Pick<TenantSliceArgs, "tenant" | "mesh">, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:tenant:TenantSlice", name, {}, opts);
        const t = args.tenant;
        const keep = { parent: this, protect: t.protect, retainOnDelete: t.retainOnDelete };
        this.namespace = createNamespace(`${name}-namespace`, t.namespace, tenantNamespaceLabels(t, args.mesh), keep, namespaceAnnotations(t));
        this.claims = new RedisRemains(`${name}-redis`, t, this.namespace, { parent: this }).claims;
        this.registerOutputs({ namespace: this.namespace.output, claims: this.claims });
    }
}
