/** Qdrant vector database (MLCF): HTTP 6333, gRPC 6334, storage and snapshot volumes. */
import * as pulumi from "@pulumi/pulumi";
import { StoreModel } from "../model";
import { NamespaceRef } from "../namespace";
import { SecureContainerArgs } from "../podspec";
import { StatefulStore, StoreDefinition } from "./store";

export const QDRANT_HTTP_PORT = 6333;
export const QDRANT_GRPC_PORT = 6334;

export function qdrantDefinition(store: StoreModel): StoreDefinition {
    return {
        component: "vector-db",
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
                ports: { http: QDRANT_HTTP_PORT, grpc: QDRANT_GRPC_PORT },
                env: [
                    { name: "QDRANT__SERVICE__HTTP_PORT", valueFrom: { configMapKeyRef: { name: names.config, key: "QDRANT__SERVICE__HTTP_PORT" } } },
                    { name: "QDRANT__SERVICE__GRPC_PORT", valueFrom: { configMapKeyRef: { name: names.config, key: "QDRANT__SERVICE__GRPC_PORT" } } },
                    { name: "QDRANT__SERVICE__API_KEY", valueFrom: { secretKeyRef: { name: names.secret, key: "api-key" } } },
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
