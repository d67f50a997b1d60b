/**
 * Scheduled backups of the system namespace's stores (MLCF summary, "Backup Strategy"):
 * Qdrant snapshots fetched over its HTTP API from every member, Neo4j exports through
 * cypher-shell, and CSI VolumeSnapshots of every data volume when the stack names a
 * snapshot class. Files land on one backup volume and are pruned after `retentionDays`.
 *
 * Each job has its own ServiceAccount. Only the snapshot job talks to the API server,
 * with a short-lived token it mounts explicitly (nothing is automounted) and a Role that
 * can touch VolumeSnapshots and read claims, nothing else. The dump jobs reach their
 * store through the same access label the workloads use (network.ts).
 *
 * Why an APOC export and not `neo4j-admin database dump`: the community edition the
 * seeds run can only dump a stopped database; the export runs online (see README).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SKIP_AWAIT } from "./awaits";
import { checkovExceptions } from "./checkov-exceptions";
import { SNAPSHOT_NAMESPACES_ROLE } from "./cluster";
import { accessLabel, recommendedLabels, selectorLabels, TENANT_LABEL } from "./labels";
import { BackupsModel, PlatformModel, ResourceRequirements, StoreModel } from "./model";
import { BACKUP_ACCOUNTS } from "./mesh";
import { NamespaceRef } from "./namespace";
import { SecureContainerArgs, SecurePodArgs, securePodSpec } from "./podspec";
import { DataStores } from "./datastores";
import { peersServiceName } from "./datastores/store";
import { NEO4J_BOLT_PORT } from "./datastores/neo4j";
import { QDRANT_HTTP_PORT } from "./datastores/qdrant";

export const BACKUP_CLAIM = "neurallog-backups";
export const BACKUP_MOUNT = "/backups";
export const SNAPSHOT_ACCOUNT = "backup-snapshots";
export const SNAPSHOT_JOB = "volume-snapshots";
/** Label on each VolumeSnapshot naming its claim, so pruning keeps the newest per claim. */
export const SNAPSHOT_OF_LABEL = "neurallog.io/snapshot-of";

const JOB_RESOURCES: ResourceRequirements = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
/** cypher-shell is a JVM. */
const NEO4J_JOB_RESOURCES: ResourceRequirements = { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } };

const prune = (dir: string, days: number) => `find ${dir} -type f -mtime +${days} -print -delete`;

/**
 * Pure: the Qdrant job's script. In a cluster each member holds only its own shards, so
 * every collection is snapshotted on every member (Qdrant's documented way; a member's
 * full-storage snapshot can only be restored by restarting it).
 */
export function qdrantBackupScript(store: Pick<StoreModel, "name" | "replicas">, namespace: string, retentionDays: number): string {
    const hosts = Array.from({ length: store.replicas }, (_, i) => `${store.name}-${i}.${peersServiceName(store)}.${namespace}.svc`);
    return [
        "set -eu",
        `dir=${BACKUP_MOUNT}/qdrant`,
        'stamp="$(date -u +%Y%m%dT%H%M%SZ)"',
        'mkdir -p "$dir"',
        'q() { curl -fsS -H "api-key: $QDRANT_API_KEY" "$@"; }',
        `for host in ${hosts.join(" ")}; do`,
        `  base="http://$host:${QDRANT_HTTP_PORT}"`,
        '  member="${host%%.*}"',
        '  for c in $(q "$base/collections" | grep -o \'"name":"[^"]*"\' | cut -d\'"\' -f4); do',
        '    name="$(q -X POST "$base/collections/$c/snapshots?wait=true" | grep -o \'"name":"[^"]*"\' | cut -d\'"\' -f4)"',
        '    [ -n "$name" ] || { echo "qdrant $member: no snapshot name for $c" >&2; exit 1; }',
        '    file="$dir/$stamp.$member.$c.snapshot"',
        '    q -o "$file.part" "$base/collections/$c/snapshots/$name"',
        '    mv "$file.part" "$file"',
        // The copy is on the backup volume; the member's own would only fill its snapshot volume.
        '    q -X DELETE "$base/collections/$c/snapshots/$name" >/dev/null',
        '    echo "qdrant: $member/$c -> $file"',
        "  done",
        "done",
        prune('"$dir"', retentionDays),
    ].join("\n");
}

/** Pure: the Neo4j job's script (an online export of the whole graph as Cypher, gzipped). */
export function neo4jBackupScript(store: Pick<StoreModel, "name">, namespace: string, retentionDays: number): string {
    return [
        "set -eu",
        `dir=${BACKUP_MOUNT}/neo4j`,
        'mkdir -p "$dir"',
        'file="$dir/neo4j-$(date -u +%Y%m%dT%H%M%SZ).cypher"',
        `cypher-shell -a "neo4j://${store.name}.${namespace}.svc:${NEO4J_BOLT_PORT}" --format plain \\`,
        "  \"CALL apoc.export.cypher.all(null, {stream: true, format: 'plain'}) YIELD cypherStatements RETURN cypherStatements\" >\"$file.part\"",
        'gzip "$file.part"',
        'mv "$file.part.gz" "$file.gz"',
        'echo "neo4j: $file.gz"',
        prune("\"$dir\"", retentionDays),
    ].join("\n");
}

/**
 * Pure: the VolumeSnapshot job's script: one snapshot per data claim of the system
 * namespace and of every tenant namespace (found by their label), the newest `keep` kept.
 * A namespace it may not touch fails the run, so a gap is never silent.
 */
export function volumeSnapshotScript(className: string, keep: number, systemNamespace: string): string {
    return [
        "set -eu",
        'stamp="$(date -u +%Y%m%d%H%M%S)"',
        `for ns in ${systemNamespace} $(kubectl get namespaces -l ${TENANT_LABEL} -o jsonpath='{.items[*].metadata.name}'); do`,
        // Data claims carry the storage-type label (volumes.ts); the backup volume does not.
        '  for claim in $(kubectl -n "$ns" get pvc -l neurallog.io/storage-type -o jsonpath=\'{.items[*].metadata.name}\'); do',
        '    cat <<EOF | kubectl -n "$ns" create -f -',
        "apiVersion: snapshot.storage.k8s.io/v1",
        "kind: VolumeSnapshot",
        "metadata:",
        '  name: "$claim-$stamp"',
        `  labels: {app.kubernetes.io/part-of: neurallog, app.kubernetes.io/managed-by: ${SNAPSHOT_ACCOUNT}, ${SNAPSHOT_OF_LABEL}: "$claim"}`,
        "spec:",
        `  volumeSnapshotClassName: ${className}`,
        '  source: {persistentVolumeClaimName: "$claim"}',
        "EOF",
        `    kubectl -n "$ns" get volumesnapshot -l "${SNAPSHOT_OF_LABEL}=$claim" --sort-by=.metadata.creationTimestamp -o name | head -n -${keep} | xargs -r kubectl -n "$ns" delete`,
        "  done",
        "done",
    ].join("\n");
}

/** What the snapshot job may do in each namespace whose claims it snapshots. */
export const SNAPSHOT_RULES = [
    { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["list"] },
    { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["list", "create", "delete"] },
];

/**
 * The token the snapshot job calls the API server with, mounted where kubectl's
 * in-cluster config looks: explicit, bound to the pod, expiring after ten minutes.
 */
const API_TOKEN_VOLUME: k8s.types.input.core.v1.Volume = {
    name: "api-token",
    projected: {
        sources: [
            { serviceAccountToken: { path: "token", expirationSeconds: 600 } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
        ],
    },
};

export interface BackupsArgs {
    /** The resolved stack model (components/config.ts). */
    model: PlatformModel;
    /** What to back up and when (`neurallog:backups`). */
    backups: BackupsModel;
    /** The system namespace, where the stores and the backup volume live. */
    namespace: NamespaceRef;
    /** The platform's stores: the jobs read their Secrets. */
    stores: DataStores;
}

export class Backups extends pulumi.ComponentResource {
    public readonly claim: k8s.core.v1.PersistentVolumeClaim;
    public readonly cronJobs: k8s.batch.v1.CronJob[] = [];

    constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:backups:Backups", name, {}, opts);
        const { model: m, backups: b } = args;
        const ns = m.namespace;
        const namespace = args.namespace.output;
        const labels = (n = "backup") => recommendedLabels({ name: n, instance: ns, component: "backup" });
        const parent = { parent: this };
        // The backups are what a lost store is rebuilt from: kept like the stores' own claims.
        const keep = m.stores.some((s) => s.protect);

        this.claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-claim`,
            {
                metadata: { name: BACKUP_CLAIM, namespace, labels: labels(), annotations: { [SKIP_AWAIT]: "true" } },
                spec: { accessModes: ["ReadWriteOnce"], storageClassName: b.storageClass, resources: { requests: { storage: b.size } } },
            },
            { parent: this, protect: keep, retainOnDelete: true },
        );

        const account = (role: string, accountName: string) =>
            new k8s.core.v1.ServiceAccount(
                `${name}-${role}-sa`,
                { metadata: { name: accountName, namespace, labels: labels(accountName) }, automountServiceAccountToken: false },
                parent,
            );
        const cronJob = (role: string, jobName: string, schedule: string, pod: SecurePodArgs, podLabels: Record<string, string>, dependsOn: pulumi.Resource[]) => {
            this.cronJobs.push(
                new k8s.batch.v1.CronJob(
                    `${name}-${role}`,
                    {
                        metadata: { name: jobName, namespace, labels: labels(jobName), annotations: checkovExceptions(pod) },
                        spec: {
                            schedule,
                            timeZone: "Etc/UTC",
                            // A slow run is not doubled by the next one, and a missed run is not replayed hours later.
                            concurrencyPolicy: "Forbid",
                            startingDeadlineSeconds: 600,
                            successfulJobsHistoryLimit: 3,
                            failedJobsHistoryLimit: 3,
                            jobTemplate: {
                                metadata: { labels: labels(jobName) },
                                spec: {
                                    backoffLimit: 2,
                                    activeDeadlineSeconds: 3600,
                                    template: { metadata: { labels: { ...labels(jobName), ...podLabels } }, spec: securePodSpec(pod) },
                                },
                            },
                        },
                    },
                    { ...parent, dependsOn },
                ),
            );
        };
        const backupVolume = { name: "backups", persistentVolumeClaim: { claimName: BACKUP_CLAIM } };
        const backupMount = { name: "backups", mountPath: BACKUP_MOUNT };
        const container = (c: Omit<SecureContainerArgs, "resources"> & { resources?: ResourceRequirements }): SecureContainerArgs => ({
            resources: JOB_RESOURCES,
            ...c,
        });

        const qdrant = m.stores.find((s) => s.kind === "qdrant");
        if (b.qdrant && qdrant) {
            const sa = account("qdrant", BACKUP_ACCOUNTS.qdrant!);
            cronJob(
                "qdrant",
                "qdrant-snapshot",
                b.qdrant.schedule,
                {
                    serviceAccountName: sa.metadata.name,
                    restartPolicy: "OnFailure",
                    runAsUser: 100,
                    containers: [
                        container({
                            name: "snapshot",
                            image: b.qdrant.image,
                            command: ["sh", "-c", qdrantBackupScript(qdrant, ns, b.retentionDays)],
                            env: [{ name: "QDRANT_API_KEY", valueFrom: { secretKeyRef: { name: `${qdrant.name}-auth`, key: "api-key" } } }],
                            volumeMounts: [backupMount],
                        }),
                    ],
                    volumes: [backupVolume],
                },
                { [accessLabel("qdrant")]: "true" },
                [this.claim, ...(args.stores.stores.qdrant ? [args.stores.stores.qdrant.secret] : [])],
            );
        }

        const neo4j = m.stores.find((s) => s.kind === "neo4j");
        if (b.neo4j && neo4j) {
            const sa = account("neo4j", BACKUP_ACCOUNTS.neo4j!);
            cronJob(
                "neo4j",
                "neo4j-dump",
                b.neo4j.schedule,
                {
                    serviceAccountName: sa.metadata.name,
                    restartPolicy: "OnFailure",
                    runAsUser: 7474,
                    containers: [
                        container({
                            name: "dump",
                            image: b.neo4j.image,
                            command: ["sh", "-c", neo4jBackupScript(neo4j, ns, b.retentionDays)],
                            // cypher-shell reads its credentials from these; HOME for its history file.
                            env: [
                                { name: "NEO4J_USERNAME", value: "neo4j" },
                                { name: "NEO4J_PASSWORD", valueFrom: { secretKeyRef: { name: `${neo4j.name}-auth`, key: "password" } } },
                                { name: "HOME", value: "/tmp" },
                            ],
                            resources: NEO4J_JOB_RESOURCES,
                            volumeMounts: [backupMount],
                        }),
                    ],
                    volumes: [backupVolume],
                },
                { [accessLabel("neo4j")]: "true" },
                [this.claim, ...(args.stores.stores.neo4j ? [args.stores.stores.neo4j.secret] : [])],
            );
        }

        if (b.volumeSnapshots) {
            const vs = b.volumeSnapshots;
            const sa = account("snapshots", SNAPSHOT_ACCOUNT);
            const role = new k8s.rbac.v1.Role(
                `${name}-snapshots-role`,
                {
                    metadata: { name: SNAPSHOT_ACCOUNT, namespace, labels: labels(SNAPSHOT_ACCOUNT) },
                    rules: SNAPSHOT_RULES,
                },
                parent,
            );
            const binding = new k8s.rbac.v1.RoleBinding(
                `${name}-snapshots-rolebinding`,
                {
                    metadata: { name: SNAPSHOT_ACCOUNT, namespace, labels: labels(SNAPSHOT_ACCOUNT) },
                    subjects: [{ kind: "ServiceAccount", name: SNAPSHOT_ACCOUNT, namespace: ns }],
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                },
                { parent: this, dependsOn: [sa] },
            );
            // Tenant namespaces are found by label; each tenant's slice grants the rest (tenant.ts).
            const namespacesRole = new k8s.rbac.v1.ClusterRole(
                `${name}-snapshots-namespaces`,
                {
                    metadata: { name: SNAPSHOT_NAMESPACES_ROLE, labels: labels(SNAPSHOT_ACCOUNT) },
                    rules: [{ apiGroups: [""], resources: ["namespaces"], verbs: ["list"] }],
                },
                parent,
            );
            new k8s.rbac.v1.ClusterRoleBinding(
                `${name}-snapshots-namespaces-binding`,
                {
                    metadata: { name: SNAPSHOT_NAMESPACES_ROLE, labels: labels(SNAPSHOT_ACCOUNT) },
                    subjects: [{ kind: "ServiceAccount", name: SNAPSHOT_ACCOUNT, namespace: ns }],
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: namespacesRole.metadata.name },
                },
                { parent: this, dependsOn: [sa] },
            );
            // The one path out of the default-deny namespace this job needs: the API server.
            new k8s.networking.v1.NetworkPolicy(
                `${name}-snapshots-netpol`,
                {
                    metadata: { name: "backup-snapshots-to-apiserver", namespace, labels: labels(SNAPSHOT_ACCOUNT) },
                    spec: {
                        podSelector: { matchLabels: selectorLabels({ name: SNAPSHOT_JOB, instance: ns }) },
                        policyTypes: ["Egress"],
                        egress: [{ ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6443 }] }],
                    },
                },
                parent,
            );
            cronJob(
                "snapshots",
                SNAPSHOT_JOB,
                vs.schedule,
                {
                    serviceAccountName: sa.metadata.name,
                    restartPolicy: "OnFailure",
                    runAsUser: 10001,
                    containers: [
                        container({
                            name: "snapshot",
                            image: vs.image,
                            command: ["sh", "-c", volumeSnapshotScript(vs.className, vs.keep, ns)],
                            volumeMounts: [{ name: "api-token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true }],
                        }),
                    ],
                    volumes: [API_TOKEN_VOLUME],
                },
                {},
                [binding],
            );
        }
        this.registerOutputs({ claim: this.claim, cronJobs: this.cronJobs });
    }
}
