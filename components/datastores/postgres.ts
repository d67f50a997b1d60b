/** PostgreSQL with the prometheus-community exporter as a sidecar (Aquaculture layout: metrics on 9187). */
import * as pulumi from "@pulumi/pulumi";
import { StoreModel } from "../model";
import { NamespaceRef } from "../namespace";
import { SecureContainerArgs } from "../podspec";
import { StatefulStore, StoreDefinition } from "./store";

export const POSTGRES_PORT = 5432;
export const POSTGRES_EXPORTER_PORT = 9187;
const USER = "neurallog";

export function postgresDefinition(store: StoreModel): StoreDefinition {
    const db = store.database ?? "neurallog";
    const ready = { exec: { command: ["pg_isready", "-U", USER, "-d", db, "-h", "127.0.0.1"] } };
    return {
        component: "database",
        ports: [
            { name: "postgres", port: POSTGRES_PORT },
            { name: "metrics", port: POSTGRES_EXPORTER_PORT },
        ],
        // One member, no replication (config.ts refuses more).
        primaryOnly: true,
        runAsUser: 70,
        mounts: { data: "/var/lib/postgresql/data" },
        configData: { POSTGRES_DB: db, POSTGRES_USER: USER, PGDATA: "/var/lib/postgresql/data/pgdata" },
        secretData: (password) => ({ username: USER, password }),
        containers: (names): SecureContainerArgs[] => [
            {
                name: "postgres",
                image: store.image,
                ports: { postgres: POSTGRES_PORT },
                env: [
                    { name: "POSTGRES_DB", valueFrom: { configMapKeyRef: { name: names.config, key: "POSTGRES_DB" } } },
                    { name: "POSTGRES_USER", valueFrom: { configMapKeyRef: { name: names.config, key: "POSTGRES_USER" } } },
                    { name: "PGDATA", valueFrom: { configMapKeyRef: { name: names.config, key: "PGDATA" } } },
                    { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: names.secret, key: "password" } } },
                ],
                resources: store.resources,
                volumeMounts: [{ name: "run", mountPath: "/var/run/postgresql" }],
                livenessProbe: { ...ready, initialDelaySeconds: 30, periodSeconds: 20 },
                readinessProbe: { ...ready, initialDelaySeconds: 5, periodSeconds: 10 },
            },
            {
                name: "exporter",
                image: store.exporterImage ?? "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
                ports: { metrics: POSTGRES_EXPORTER_PORT },
                env: [
                    { name: "DATA_SOURCE_URI", value: `127.0.0.1:${POSTGRES_PORT}/${db}?sslmode=disable` },
                    { name: "DATA_SOURCE_USER", value: USER },
                    { name: "DATA_SOURCE_PASS", valueFrom: { secretKeyRef: { name: names.secret, key: "password" } } },
                ],
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
                livenessProbe: { httpGet: { path: "/", port: "metrics" }, initialDelaySeconds: 10, periodSeconds: 20 },
                readinessProbe: { httpGet: { path: "/", port: "metrics" }, initialDelaySeconds: 5, periodSeconds: 10 },
            },
        ],
        extraVolumes: () => [{ name: "run", emptyDir: {} }],
        metrics: { port: "metrics", path: "/metrics" },
    };
}

export class Postgres extends StatefulStore {
    constructor(name: string, args: { namespace: NamespaceRef; store: StoreModel }, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:datastores:Postgres", name, args, postgresDefinition(args.store), opts);
    }
}
