/** Qdrant vector database (MLCF): HTTP 6333, gRPC 6334, storage and snapshot volumes. */
import * as pulumi from "@pulumi/pulumi";
import { StoreModel } from "../model";
import { NamespaceRef } from "../namespace";
import { SecureContainerArgs } from "../podspec";
import { peersServiceName, StatefulStore, StoreDefinition } from "./store";

export const QDRANT_HTTP_PORT = 6333;
export const QDRANT_GRPC_PORT = 6334;
/** Raft and shard traffic between cluster members. */
export const QDRANT_P2P_PORT = 6335;

/**
 * More than one replica runs Qdrant's distributed mode: member 0 starts the cluster,
 * the others join it through the peers Service. Without it, three replicas would be
 * three unrelated databases behind one name.
 */
export function qdrantStart(store: StoreModel): string[] | undefined {
    if (store.replicas === 1) return undefined;
    const peer = (host: string) => `http://${host}.${peersServiceName(store)}:${QDRANT_P2P_PORT}`;
    return [
        "sh",
        "-c",
        [
            'ordinal="${HOSTNAME##*-}"',
            `if [ "$ordinal" = "0" ]; then exec ./qdrant --uri ${peer("$HOSTNAME")}; fi`,
            `exec ./qdrant --bootstrap ${peer(`${store.name}-0`)} --uri ${peer("$HOSTNAME")}`,
        ].join("\n"),
    ];
}

export function qdrantDefinition(store: StoreModel): StoreDefinition {
    return {
        component: "vector-db",
        // In cluster mode every ready member serves reads and writes.
        primaryOnly: store.replicas === 1,
        peerPorts: store.replicas > 1 ? [{ name: "p2p", port: QDRANT_P2P_PORT }] : [],
        ports: [
            { name: "http", port: QDRANT_HTTP_PORT },
            { name: "grpc", port: QDRANT_GRPC_PORT },
        ],
        runAsUser: 1000,
        mounts: { storage: "/qdrant/storage", snapshots: "/qdrant/snapshots" },
        configData: { QDRANT__SERVICE__HTTP_PORT: String(QDRANT_HTTP_PORT), QDRANT__SERVICE__GRPC_PORT: String(QDRANT_GRPC_PORT) },
        secretData: (password) => ({ "api-key": password }),
        containers: (names): SecureContainerArgs[] => [
            {
                name: "qdrant",
                image: store.image,
                ...(qdrantStart(store) ? { command: qdrantStart(store) } : {}),
                ports: { http: QDRANT_HTTP_PORT, grpc: QDRANT_GRPC_PORT },
                env: [
                    { name: "QDRANT__SERVICE__HTTP_PORT", valueFrom: { configMapKeyRef: { name: names.config, key: "QDRANT__SERVICE__HTTP_PORT" } } },
                    { name: "QDRANT__SERVICE__GRPC_PORT", valueFrom: { configMapKeyRef: { name: names.config, key: "QDRANT__SERVICE__GRPC_PORT" } } },
                    { name: "QDRANT__SERVICE__API_KEY", valueFrom: { secretKeyRef: { name: names.secret, key: "api-key" } } },
                    ...(store.replicas > 1
                        ? [
                              { name: "QDRANT__CLUSTER__ENABLED", value: "true" },
                              { name: "QDRANT__CLUSTER__P2P__PORT", value: String(QDRANT_P2P_PORT) },
                          ]
                        : []),
                ],
                resources: store.resources,
                livenessProbe: { httpGet: { path: "/livez", port: "http" }, initialDelaySeconds: 15, periodSeconds: 20 },
                readinessProbe: { httpGet: { path: "/readyz", port: "http" }, initialDelaySeconds: 5, periodSeconds: 10 },
            },
        ],
        extraVolumes: () => [],
        metrics: { port: "http", path: "/metrics" },
    };
}

export class Qdrant extends StatefulStore {
    constructor(name: string, args: { namespace: NamespaceRef; store: StoreModel }, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:datastores:Qdrant", name, args, qdrantDefinition(args.store), opts);
    }
}
