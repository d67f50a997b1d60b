/** Neo4j graph database (MLCF): HTTP 7474, Bolt 7687, Prometheus metrics 2004, data and logs volumes. */
import * as pulumi from "@pulumi/pulumi";
import { StoreModel } from "../model";
import { NamespaceRef } from "../namespace";
import { SecureContainerArgs } from "../podspec";
import { StatefulStore, StoreDefinition } from "./store";

export const NEO4J_HTTP_PORT = 7474;
export const NEO4J_BOLT_PORT = 7687;
export const NEO4J_METRICS_PORT = 2004;

export function neo4jDefinition(store: StoreModel): StoreDefinition {
    return {
        component: "graph-db",
        ports: [
            { name: "http", port: NEO4J_HTTP_PORT },
            { name: "bolt", port: NEO4J_BOLT_PORT },
            { name: "metrics", port: NEO4J_METRICS_PORT },
        ],
        // One member, no replication (config.ts refuses more).
        primaryOnly: true,
        runAsUser: 7474,
        mounts: { data: "/data", logs: "/logs" },
        configData: {
            NEO4J_server_metrics_enabled: "true",
            NEO4J_server_metrics_prometheus_enabled: "true",
            NEO4J_server_metrics_prometheus_endpoint: `0.0.0.0:${NEO4J_METRICS_PORT}`,
            NEO4J_PLUGINS: '["apoc"]',
        },
        secretData: (password) => ({ password, auth: pulumi.interpolate`neo4j/${password}` }),
        containers: (names): SecureContainerArgs[] => [
            {
                name: "neo4j",
                image: store.image,
                ports: { http: NEO4J_HTTP_PORT, bolt: NEO4J_BOLT_PORT, metrics: NEO4J_METRICS_PORT },
                env: [
                    { name: "NEO4J_AUTH", valueFrom: { secretKeyRef: { name: names.secret, key: "auth" } } },
                    ...["NEO4J_server_metrics_enabled", "NEO4J_server_metrics_prometheus_enabled", "NEO4J_server_metrics_prometheus_endpoint", "NEO4J_PLUGINS"].map(
                        (key) => ({ name: key, valueFrom: { configMapKeyRef: { name: names.config, key } } }),
                    ),
                ],
                resources: store.resources,
                // The entrypoint writes generated config and plugins; give it writable dirs, not a writable root.
                volumeMounts: [
                    { name: "conf", mountPath: "/var/lib/neo4j/conf" },
                    { name: "plugins", mountPath: "/plugins" },
                    { name: "run", mountPath: "/var/lib/neo4j/run" },
                ],
                livenessProbe: { tcpSocket: { port: "bolt" }, initialDelaySeconds: 60, periodSeconds: 20 },
                readinessProbe: { tcpSocket: { port: "bolt" }, initialDelaySeconds: 20, periodSeconds: 10 },
            },
        ],
        extraVolumes: () => [
            { name: "conf", emptyDir: {} },
            { name: "plugins", emptyDir: {} },
            { name: "run", emptyDir: {} },
        ],
        metrics: { port: "metrics", path: "/metrics" },
    };
}

export class Neo4j extends StatefulStore {
    constructor(name: string, args: { namespace: NamespaceRef; store: StoreModel }, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:datastores:Neo4j", name, args, neo4jDefinition(args.store), opts);
    }
}
