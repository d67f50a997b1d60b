/**
 * Platform: the base of one environment — the system namespace, the Tenant CRD, storage
 * classes (when the stack creates them), the shared ConfigMap and generated secrets,
 * the data stores, the NeuralLog server, baseline NetworkPolicies, minimal RBAC and an
 * optional TLS Ingress.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GeneratedCredential } from "./credential";
import { TENANT_CRD_NAME, TENANT_OPENAPI_SCHEMA, TENANT_PRINTER_COLUMNS, TENANT_VIEWER_ROLE } from "./crd";
import { DataStores } from "./datastores";
import { REDIS_EXPORTER_PORT } from "./datastores/redis";
import { recommendedLabels } from "./labels";
import { PLATFORM_SECRET, PlatformModel, StoreKind } from "./model";
import { INJECTION_LABEL } from "./mesh";
import { createNamespace, namespaceLabels, NamespaceRef } from "./namespace";
import {
    allowDns,
    defaultDeny,
    INGRESS_NAMESPACE,
    metricsIngress,
    nsPeer,
    policyFactory,
    serverIngress,
    storeEgress,
    storeIngress,
    workloadIngress,
} from "./network";
import { Workload } from "./workload";

export interface PlatformArgs {
    /** The resolved stack model (components/config.ts). */
    model: PlatformModel;
}

/** Catalogue storage classes with the Kubernetes guide's and MLCF's parameters. */
export function storageClassSpecs(provisioner: string) {
    return {
        "fast-ssd": {
            provisioner,
            parameters: { type: "gp3", iops: "3000", throughput: "125", encrypted: "true" },
            reclaimPolicy: "Delete",
            annotations: { "storageclass.kubernetes.io/is-default-class": "false" },
        },
        "premium-nvme": {
            provisioner,
            parameters: { type: "io2", iops: "10000", encrypted: "true" },
            // Premium volumes hold enterprise data: keep the disk when a claim goes away.
            reclaimPolicy: "Retain",
            annotations: {},
        },
        standard: {
            provisioner,
            parameters: { type: "gp3", encrypted: "true" },
            reclaimPolicy: "Delete",
            annotations: {},
        },
    } as const;
}

export class Platform extends pulumi.ComponentResource {
    public readonly namespace: NamespaceRef;
    public readonly tenantCrd: k8s.apiextensions.v1.CustomResourceDefinition;
    public readonly storageClasses: k8s.storage.v1.StorageClass[] = [];
    public readonly config: k8s.core.v1.ConfigMap;
    public readonly jwtSecret: GeneratedCredential;
    public readonly secret: k8s.core.v1.Secret;
    public readonly dataStores: DataStores;
    public readonly server: Workload;
    public readonly services: Workload[];
    public readonly networkPolicies: k8s.networking.v1.NetworkPolicy[] = [];
    public readonly ingress?: k8s.networking.v1.Ingress;
    /** Generated credentials, as Pulumi secrets, by name. */
    public readonly secrets: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:platform:Platform", name, {}, opts);
        const m = args.model;
        const parent = { parent: this };
        const ns = m.namespace;
        const labels = (component: string, n = "neurallog") => recommendedLabels({ name: n, instance: ns, component });

        this.namespace = createNamespace(
            `${name}-namespace`,
            ns,
            namespaceLabels(ns, "system", {
                environment: m.environment,
                monitoring: m.observability.enabled ? "enabled" : "disabled",
                ...(m.mesh.enabled ? INJECTION_LABEL : {}),
            }),
            parent,
        );
        const namespace = this.namespace.output;

        this.tenantCrd = new k8s.apiextensions.v1.CustomResourceDefinition(
            `${name}-tenant-crd`,
            {
                metadata: { name: TENANT_CRD_NAME, labels: labels("crd", "tenant") },
                spec: {
                    group: "neurallog.io",
                    scope: "Cluster",
                    names: { kind: "Tenant", plural: "tenants", singular: "tenant", listKind: "TenantList", shortNames: ["tn"] },
                    versions: [
                        {
                            name: "v1",
                            served: true,
                            storage: true,
                            schema: { openAPIV3Schema: TENANT_OPENAPI_SCHEMA },
                            // Status belongs to whatever observes tenants; an apply of the object never sets it.
                            subresources: { status: {} },
                            additionalPrinterColumns: TENANT_PRINTER_COLUMNS,
                        },
                    ],
                },
            },
            parent,
        );
        // `kubectl get tenants` for whoever is bound to it. Not aggregated into the built-in
        // `view` role: Tenant objects carry billing e-mails, personal data that viewers of
        // a namespace have no need for.
        new k8s.rbac.v1.ClusterRole(
            `${name}-tenant-viewer`,
            {
                metadata: {
                    name: TENANT_VIEWER_ROLE,
                    labels: labels("rbac", "tenant"),
                },
                rules: [{ apiGroups: ["neurallog.io"], resources: ["tenants"], verbs: ["get", "list", "watch"] }],
            },
            parent,
        );

        if (m.storageClasses.create) {
            for (const [cls, sc] of Object.entries(storageClassSpecs(m.storageClasses.provisioner))) {
                this.storageClasses.push(
                    new k8s.storage.v1.StorageClass(
                        `${name}-storageclass-${cls}`,
                        {
                            metadata: { name: cls, labels: labels("storage"), annotations: sc.annotations },
                            provisioner: sc.provisioner,
                            parameters: sc.parameters,
                            reclaimPolicy: sc.reclaimPolicy,
                            volumeBindingMode: "WaitForFirstConsumer",
                            allowVolumeExpansion: true,
                        },
                        parent,
                    ),
                );
            }
        }

        this.config = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: { name: "neurallog-config", namespace, labels: labels("config") },
                data: {
                    ENVIRONMENT: m.environment,
                    NODE_ENV: "production",
                    LOG_LEVEL: m.server.env.find((e) => e.name === "LOG_LEVEL")?.value ?? "info",
                    REDIS_URL: "redis://redis:6379",
                    SERVER_URL: `http://${m.server.name}.${ns}:${m.server.port}`,
                },
            },
            parent,
        );
        // Shared signing key (MLCF's JWT secret), generated: never a default in git.
        this.jwtSecret = new GeneratedCredential(`${name}-jwt-secret`, { length: 48, rotation: m.jwtSecretRotation }, parent);
        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: PLATFORM_SECRET.name, namespace, labels: labels("config") },
                type: "Opaque",
                stringData: { [PLATFORM_SECRET.jwtKey]: pulumi.secret(this.jwtSecret.value) },
            },
            parent,
        );

        this.dataStores = new DataStores(`${name}-datastores`, { namespace: this.namespace, stores: m.stores }, parent);
        const storeSecret = (kind: StoreKind) => this.dataStores.stores[kind]?.secret;
        const secretsFor = (kinds: StoreKind[]) => kinds.map(storeSecret).filter((s): s is k8s.core.v1.Secret => s !== undefined);

        this.server = new Workload(
            `${name}-server`,
            // The server reads the JWT key from the platform Secret at start.
            { namespace: this.namespace, spec: m.server, dependsOn: [this.secret, ...secretsFor(m.server.accessTo)] },
            parent,
        );
        this.services = m.services.map(
            (s) => new Workload(`${name}-${s.name}`, { namespace: this.namespace, spec: s, dependsOn: secretsFor(s.accessTo) }, parent),
        );

        // Baseline policies: deny everything, then open DNS and each path between components.
        const policy = policyFactory(name, namespace, labels("network-policy"), parent, this.networkPolicies);
        policy("default-deny", defaultDeny());
        policy("allow-dns", allowDns(m.network.dns));
        policy(`${m.server.name}-ingress`, serverIngress(m.server, ns));
        for (const s of m.services) {
            policy(`${s.name}-ingress`, workloadIngress(s, ns, [{ podSelector: {} }, nsPeer(INGRESS_NAMESPACE)]));
        }
        for (const store of m.stores) {
            policy(`${store.name}-ingress`, storeIngress(store.kind, store.name, ns));
            policy(`${store.name}-egress`, storeEgress(store.kind, store.name, ns));
        }
        if (m.observability.enabled) {
            // The stores' metrics ports: Postgres' exporter, Qdrant, Neo4j, Redis' exporter sidecar.
            const storePorts = [9187, 6333, 2004, REDIS_EXPORTER_PORT];
            const ports = [m.server.port, ...m.services.flatMap((s) => (s.metricsPort ? [s.metricsPort] : [])), ...storePorts];
            policy("allow-metrics-scrape", metricsIngress(m.observability.monitoringNamespace, [...new Set(ports)]));
        }

        // Minimal RBAC: the server may read only its own ConfigMap; no cluster-wide rights.
        const role = new k8s.rbac.v1.Role(
            `${name}-server-role`,
            {
                metadata: { name: m.server.name, namespace, labels: labels("rbac") },
                rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: ["neurallog-config"], verbs: ["get", "watch"] }],
            },
            parent,
        );
        new k8s.rbac.v1.RoleBinding(
            `${name}-server-rolebinding`,
            {
                metadata: { name: m.server.name, namespace, labels: labels("rbac") },
                subjects: [{ kind: "ServiceAccount", name: this.server.serviceAccount.metadata.name, namespace: ns }],
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            },
            parent,
        );

        if (m.ingress.enabled && m.ingress.host) {
            const tlsSecret = m.ingress.tlsSecretName ?? `${m.server.name}-tls`;
            this.ingress = new k8s.networking.v1.Ingress(
                `${name}-ingress`,
                {
                    metadata: {
                        name: m.server.name,
                        namespace,
                        labels: labels("ingress"),
                        annotations: {
                            "cert-manager.io/cluster-issuer": m.ingress.clusterIssuer,
                            "nginx.ingress.kubernetes.io/ssl-redirect": "true",
                        },
                    },
                    spec: {
                        ingressClassName: m.ingress.className,
                        tls: [{ hosts: [m.ingress.host], secretName: tlsSecret }],
                        rules: [
                            {
                                host: m.ingress.host,
                                http: {
                                    paths: [
                                        {
                                            path: "/",
                                            pathType: "Prefix",
                                            backend: { service: { name: this.server.service.metadata.name, port: { name: "http" } } },
                                        },
                                    ],
                                },
                            },
                        ],
                    },
                },
                parent,
            );
        }

        this.secrets = {
            jwtSecret: pulumi.secret(this.jwtSecret.value),
            ...Object.fromEntries(Object.entries(this.dataStores.stores).map(([kind, s]) => [`${kind}Password`, s!.passwordValue])),
        };
        this.registerOutputs({
            namespace: this.namespace.output,
            tenantCrd: this.tenantCrd,
            storageClasses: this.storageClasses,
            config: this.config,
            secret: this.secret,
            dataStores: this.dataStores,
            server: this.server,
            services: this.services,
            networkPolicies: this.networkPolicies,
            ingress: this.ingress,
            secrets: this.secrets,
        });
    }
}
