/**
 * The shape every data store shares: generated credentials (Pulumi secret), a ConfigMap,
 * a headless Service (the name clients use, e.g. `redis://redis:6379`), a StatefulSet
 * with volume claim templates on the stack's storage class, probes, and a PDB.
 * Each store file (redis.ts, postgres.ts, ...) supplies only what differs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GeneratedCredential } from "../credential";
import { accessLabel, recommendedLabels, selectorLabels } from "../labels";
import { StoreModel } from "../model";
import { NamespaceRef } from "../namespace";
import { checksum, SecureContainerArgs, securePodSpec, spreadPlacement, withTenantPool } from "../podspec";

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
): { spec: k8s.types.input.apps.v1.StatefulSetSpec; labels: Record<string, string>; selector: Record<string, string> } {
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
    const placement = spreadPlacement(selector);
    return {
        labels,
        selector,
        spec: {
            serviceName: store.name,
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
                spec: securePodSpec({
                    runAsUser: def.runAsUser,
                    ...(store.tenantPool ? withTenantPool(placement) : placement),
                    containers,
                    volumes: def.extraVolumes(names),
                    terminationGracePeriodSeconds: 30,
                }),
            },
            volumeClaimTemplates: Object.entries(store.volumes).map(([volume, size]) => ({
                metadata: { name: volume, labels: { ...selector, "neurallog.io/storage-type": volume } },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: store.storageClass,
                    resources: { requests: { storage: size } },
                },
            })),
        },
    };
}

export class StatefulStore extends pulumi.ComponentResource {
    public readonly password: GeneratedCredential;
    public readonly secret: k8s.core.v1.Secret;
    public readonly configMap: k8s.core.v1.ConfigMap;
    public readonly service: k8s.core.v1.Service;
    public readonly statefulSet: k8s.apps.v1.StatefulSet;
    public readonly pdb: k8s.policy.v1.PodDisruptionBudget;
    /** Generated password, a Pulumi secret. */
    public readonly passwordValue: pulumi.Output<string>;
    public readonly definition: StoreDefinition;

    constructor(type: string, name: string, args: StoreArgs, def: StoreDefinition, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        const { store, tenantId } = args;
        const parent = { parent: this };
        const namespace = args.namespace.output;
        const names = { secret: `${store.name}-auth`, config: `${store.name}-config` };
        const labels = recommendedLabels({ name: store.name, instance: args.namespace.name, component: def.component, tenantId });
        this.definition = def;

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
        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: store.name, namespace, labels },
                spec: {
                    clusterIP: "None",
                    // Peers must find each other before they are ready (replication bootstrap).
                    publishNotReadyAddresses: true,
                    selector: built.selector,
                    ports: def.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: "TCP" })),
                },
            },
            parent,
        );
        this.statefulSet = new k8s.apps.v1.StatefulSet(
            `${name}-statefulset`,
            { metadata: { name: store.name, namespace, labels }, spec: built.spec },
            // Pods read the secret and config at start.
            { ...parent, dependsOn: [this.secret, this.configMap, this.service] },
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
            statefulSet: this.statefulSet,
            pdb: this.pdb,
            password: this.passwordValue,
        });
    }
}
