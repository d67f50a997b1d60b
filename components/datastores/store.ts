/**
 * The shape every data store shares: generated credentials (Pulumi secret), a ConfigMap,
 * a client Service (the name clients use, e.g. `redis://redis:6379`) that reaches only
 * a ready primary, a headless `<name>-peers` Service for replica discovery, the data
 * claims as resources of their own (volumes.ts), a StatefulSet that adopts them, probes,
 * and a PDB. Each store file (redis.ts, postgres.ts, ...) supplies only what differs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_AWAIT_ANNOTATIONS, SKIP_AWAIT } from "../awaits";
import { GeneratedCredential } from "../credential";
import { accessLabel, recommendedLabels, selectorLabels } from "../labels";
import { StoreModel } from "../model";
import { NamespaceRef } from "../namespace";
import { checkovExceptions } from "../checkov-exceptions";
import { checksum, SecureContainerArgs, SecurePodArgs, securePodSpec, spreadPlacement, withTenantPool } from "../podspec";
import { storeClaims } from "../volumes";

export interface StoreDefinition {
    component: string;
    ports: { name: string; port: number }[];
    runAsUser: number;
    /** Where each volume claim template is mounted, by volume name. */
    mounts: Record<string, string>;
    configData: Record<string, string>;
    /** Secret keys, from the generated password. */
    secretData: (password: pulumi.Output<string>) => Record<string, pulumi.Input<string>>;
    containers: (names: { secret: string; config: string }) => SecureContainerArgs[];
    extraVolumes: (names: { secret: string; config: string }) => k8s.types.input.core.v1.Volume[];
    /** Ports that have metrics, for ServiceMonitors. */
    metrics?: { port: string; path: string };
    /**
     * Clients reach only ordinal 0, the one that takes writes (Redis replicas are
     * read-only). False for stores whose every ready member serves clients (Qdrant in
     * cluster mode).
     */
    primaryOnly: boolean;
    /** Ports only the members use among themselves (not on the client Service). */
    peerPorts?: { name: string; port: number }[];
}

/** Label the StatefulSet controller sets on each pod, `<statefulset>-<ordinal>`. */
export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const peersServiceName = (store: Pick<StoreModel, "name">) => `${store.name}-peers`;
/** The store's Secret: its generated password and what derives from it. */
export const storeSecretName = (store: Pick<StoreModel, "name">) => `${store.name}-auth`;
/**
 * On the peers Service only, so a ServiceMonitor can tell it from the client Service
 * (they share every other label): monitoring wants every member, ready or not, or a
 * member that stops answering would vanish from the scrape instead of reporting down.
 */
export const PEERS_SERVICE_LABEL = { "neurallog.io/service-role": "peers" } as const;

/** Pure: the client Service's selector: the primary only, or every member. */
export function clientSelector(store: StoreModel, def: Pick<StoreDefinition, "primaryOnly">, selector: Record<string, string>): Record<string, string> {
    return def.primaryOnly ? { ...selector, [POD_NAME_LABEL]: `${store.name}-0` } : { ...selector };
}

export interface StoreArgs {
    namespace: NamespaceRef;
    store: StoreModel;
    /** Tenant the store belongs to; adds the tenant label and the tenant node pool. */
    tenantId?: string;
}

/** Pure: the StatefulSet spec for a store, testable without any resource. */
export function storeStatefulSetSpec(
    store: StoreModel,
    def: StoreDefinition,
    namespace: string,
    names: { secret: string; config: string },
    tenantId?: string,
): {
    spec: k8s.types.input.apps.v1.StatefulSetSpec;
    labels: Record<string, string>;
    selector: Record<string, string>;
    /** The checkov checks the StatefulSet knowingly does not meet (checkov-exceptions.ts). */
    annotations: Record<string, string>;
} {
    const labels = recommendedLabels({ name: store.name, instance: namespace, component: def.component, tenantId });
    const selector = selectorLabels({ name: store.name, instance: namespace });
    const containers = def.containers(names).map((c, i) =>
        i === 0
            ? {
                  ...c,
                  volumeMounts: [
                      ...Object.entries(def.mounts).map(([volume, mountPath]) => ({ name: volume, mountPath })),
                      ...(c.volumeMounts ?? []),
                  ],
              }
            : c,
    );
    const pod: SecurePodArgs = {
        // Its own account, never the namespace's default: the mesh admits a store's members by it (mesh.ts).
        serviceAccountName: store.name,
        runAsUser: def.runAsUser,
        ...(store.tenantPool ? withTenantPool(spreadPlacement(selector)) : spreadPlacement(selector)),
        containers,
        volumes: def.extraVolumes(names),
        terminationGracePeriodSeconds: 30,
    };
    return {
        labels,
        selector,
        annotations: checkovExceptions(pod),
        spec: {
            serviceName: peersServiceName(store),
            replicas: store.replicas,
            podManagementPolicy: "OrderedReady",
            updateStrategy: { type: "RollingUpdate" },
            // Scaling down or deleting the StatefulSet never deletes data volumes.
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            selector: { matchLabels: selector },
            template: {
                metadata: {
                    labels: { ...labels, [accessLabel(store.kind)]: "true" },
                    annotations: { "neurallog.io/config-checksum": checksum(def.configData) },
                },
                spec: securePodSpec(pod),
            },
            // Only names the claims the controller adopts (StatefulStore creates them); sizes
            // here are what the store was created with and never change (volumes.ts).
            volumeClaimTemplates: Object.entries(store.volumes).map(([volume, v]) => claimTemplate(volume, v.size, store.storageClass, selector)),
        },
    };
}

function claimTemplate(volume: string, size: string, storageClass: string, selector: Record<string, string>) {
    return {
        metadata: { name: volume, labels: { ...selector, "neurallog.io/storage-type": volume } },
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: storageClass, resources: { requests: { storage: size } } },
    };
}

/**
 * The store's data claims, `${name}-<claim>` under `parent`: resources of their own (not
 * only volumeClaimTemplates) so they can be protected and kept. Also used by a moved
 * tenant's remains (tenant.ts), which must keep exactly these names and inputs.
 */
export function createStoreClaims(
    name: string,
    store: StoreModel,
    namespace: NamespaceRef,
    labels: Record<string, string>,
    parent: pulumi.Resource,
): k8s.core.v1.PersistentVolumeClaim[] {
    return storeClaims(store, namespace.name).map(
        (c) =>
            new k8s.core.v1.PersistentVolumeClaim(
                `${name}-${c.name}`,
                {
                    metadata: {
                        name: c.name,
                        namespace: namespace.output,
                        labels: { ...labels, "neurallog.io/storage-type": c.volume },
                        // Binds when its pod is scheduled on WaitForFirstConsumer classes, after this update step.
                        annotations: { [SKIP_AWAIT]: "true" },
                    },
                    spec: { accessModes: ["ReadWriteOnce"], storageClassName: c.storageClass, resources: { requests: { storage: c.size } } },
                },
                // A claim's class is immutable: a class change applies to new claims only. The
                // size grows in place (volumes.ts refuses a shrink before anything runs).
                { parent, protect: store.protect, retainOnDelete: store.retainOnDelete, ignoreChanges: ["spec.storageClassName"] },
            ),
    );
}

export class StatefulStore extends pulumi.ComponentResource {
    public readonly password: GeneratedCredential;
    public readonly secret: k8s.core.v1.Secret;
    public readonly configMap: k8s.core.v1.ConfigMap;
    /** The client Service, `<name>`: the ready primary (or every ready member). */
    public readonly service: k8s.core.v1.Service;
    /** Headless `<name>-peers`: every member by name, ready or not, for replication. */
    public readonly peers: k8s.core.v1.Service;
    /** The data claims, by `<volume>-<name>-<ordinal>`. */
    public readonly claims: k8s.core.v1.PersistentVolumeClaim[] = [];
    public readonly statefulSet: k8s.apps.v1.StatefulSet;
    public readonly pdb: k8s.policy.v1.PodDisruptionBudget;
    /** The members' own identity (no API token); `<name>` like the StatefulSet. */
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;
    /** Generated password, a Pulumi secret. */
    public readonly passwordValue: pulumi.Output<string>;
    public readonly definition: StoreDefinition;

    constructor(type: string, name: string, args: StoreArgs, def: StoreDefinition, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        const { store, tenantId } = args;
        const parent = { parent: this };
        const namespace = args.namespace.output;
        const names = { secret: storeSecretName(store), config: `${store.name}-config` };
        const labels = recommendedLabels({ name: store.name, instance: args.namespace.name, component: def.component, tenantId });
        this.definition = def;

        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name: store.name, namespace, labels }, automountServiceAccountToken: false },
            parent,
        );
        this.password = new GeneratedCredential(`${name}-password`, { length: 32, rotation: store.credentialRotation }, parent);
        // Secret in state through the resource's additionalSecretOutputs; secret here too,
        // so nothing derived from it (auth.conf, URLs) is ever plain, whatever the engine.
        this.passwordValue = pulumi.secret(this.password.value);
        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: names.secret, namespace, labels },
                type: "Opaque",
                stringData: def.secretData(this.passwordValue),
            },
            parent,
        );
        this.configMap = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            { metadata: { name: names.config, namespace, labels }, data: def.configData },
            parent,
        );

        const built = storeStatefulSetSpec(store, def, args.namespace.name, names, tenantId);
        const ports = def.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: "TCP" }));
        this.peers = new k8s.core.v1.Service(
            `${name}-peers`,
            {
                metadata: { name: peersServiceName(store), namespace, labels: { ...labels, ...PEERS_SERVICE_LABEL }, annotations: { ...SERVICE_AWAIT_ANNOTATIONS } },
                spec: {
                    clusterIP: "None",
                    // Peers must find each other before they are ready (replication bootstrap).
                    publishNotReadyAddresses: true,
                    selector: built.selector,
                    ports: [...ports, ...(def.peerPorts ?? []).map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: "TCP" }))],
                },
            },
            parent,
        );
        // Not-ready members get no traffic (publishNotReadyAddresses stays false here).
        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: store.name, namespace, labels, annotations: { ...SERVICE_AWAIT_ANNOTATIONS } },
                spec: { type: "ClusterIP", selector: clientSelector(store, def, built.selector), ports },
            },
            parent,
        );

        this.claims.push(...createStoreClaims(name, store, args.namespace, labels, this));
        this.statefulSet = new k8s.apps.v1.StatefulSet(
            `${name}-statefulset`,
            { metadata: { name: store.name, namespace, labels, annotations: built.annotations }, spec: built.spec },
            {
                ...parent,
                // Pods read the secret and config at start; the claims exist before the
                // controller looks for them, so it adopts them instead of making its own.
                dependsOn: [this.serviceAccount, this.secret, this.configMap, this.peers, ...this.claims],
                // Immutable: a change would replace the StatefulSet. The claims carry the sizes.
                ignoreChanges: ["spec.volumeClaimTemplates"],
            },
        );
        this.pdb = new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            { metadata: { name: store.name, namespace, labels }, spec: { maxUnavailable: 1, selector: { matchLabels: built.selector } } },
            parent,
        );
        this.registerOutputs({
            secret: this.secret,
            configMap: this.configMap,
            service: this.service,
            peers: this.peers,
            claims: this.claims,
            statefulSet: this.statefulSet,
            pdb: this.pdb,
            serviceAccount: this.serviceAccount,
            password: this.passwordValue,
        });
    }
}
