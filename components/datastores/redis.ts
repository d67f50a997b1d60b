/** Redis: the seeds' redis.conf (AOF, maxmemory, LRU), `requirepass` from a generated secret. */
import * as pulumi from "@pulumi/pulumi";
import { StoreModel } from "../model";
import { NamespaceRef } from "../namespace";
import { SecureContainerArgs } from "../podspec";
import { peersServiceName, StatefulStore, StoreDefinition } from "./store";

export const REDIS_PORT = 6379;
/** oliver006/redis_exporter's default port (Aquaculture layout: Redis metrics on 9121). */
export const REDIS_EXPORTER_PORT = 9121;
export const REDIS_EXPORTER_IMAGE = "oliver006/redis_exporter:v1.67.0";

/** Pure: redis.conf from the seed's file plus the stack's directives. */
export function redisConf(config: Record<string, string>): string {
    const lines = [
        "# Redis configuration for NeuralLog (managed by Pulumi)",
        `port ${REDIS_PORT}`,
        "bind 0.0.0.0",
        "protected-mode yes",
        "daemonize no",
        "dir /data",
        'logfile ""',
        ...Object.entries(config).map(([k, v]) => `${k} ${v}`),
        // The password lives in the Secret, never in the ConfigMap.
        "include /etc/redis-auth/auth.conf",
    ];
    return lines.join("\n") + "\n";
}

export interface RedisOptions {
    /**
     * Run the Prometheus exporter beside each member. Only the platform's Redis does: a
     * tenant's Redis is sized and checked against the tenant's quota without it (config.ts),
     * and nothing in the monitoring namespace may reach a tenant namespace.
     */
    exporter?: boolean;
}

/** The exporter sidecar: reads the member next to it, with the store's own password. */
function exporterContainer(secret: string): SecureContainerArgs {
    const health = { httpGet: { path: "/health", port: "metrics" } };
    return {
        name: "exporter",
        image: REDIS_EXPORTER_IMAGE,
        ports: { metrics: REDIS_EXPORTER_PORT },
        env: [
            { name: "REDIS_ADDR", value: `redis://127.0.0.1:${REDIS_PORT}` },
            { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: secret, key: "password" } } },
        ],
        resources: { requests: { cpu: "25m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
        livenessProbe: { ...health, initialDelaySeconds: 10, periodSeconds: 20 },
        // /health answers while the exporter runs, whatever Redis does, so it cannot take a
        // healthy member out of the client Service; a down Redis shows up as redis_up 0.
        readinessProbe: { ...health, initialDelaySeconds: 5, periodSeconds: 10 },
    };
}

export function redisDefinition(store: StoreModel, options: RedisOptions = {}): StoreDefinition {
    // Replicas past the first follow redis-0 (the headless peers Service gives each pod a
    // stable name). They are read-only, so the client Service reaches redis-0 alone.
    const start = [
        'ordinal="${HOSTNAME##*-}"',
        `if [ "$ordinal" != "0" ]; then exec redis-server /etc/redis/redis.conf --replicaof ${store.name}-0.${peersServiceName(store)} ${REDIS_PORT}; fi`,
        "exec redis-server /etc/redis/redis.conf",
    ].join("\n");
    return {
        component: "cache",
        primaryOnly: true,
        ports: [{ name: "redis", port: REDIS_PORT }, ...(options.exporter ? [{ name: "metrics", port: REDIS_EXPORTER_PORT }] : [])],
        runAsUser: 999,
        mounts: { data: "/data" },
        configData: { "redis.conf": redisConf(store.config) },
        secretData: (password) => ({
            password,
            "auth.conf": pulumi.interpolate`requirepass ${password}\nmasterauth ${password}\n`,
        }),
        containers: (names): SecureContainerArgs[] => [
            {
                name: "redis",
                image: store.image,
                command: ["sh", "-c", start],
                ports: { redis: REDIS_PORT },
                // redis-cli reads REDISCLI_AUTH, so the password never appears in process arguments.
                env: [{ name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: names.secret, key: "password" } } }],
                resources: store.resources,
                volumeMounts: [
                    { name: "redis-config", mountPath: "/etc/redis", readOnly: true },
                    { name: "redis-auth", mountPath: "/etc/redis-auth", readOnly: true },
                ],
                livenessProbe: { tcpSocket: { port: "redis" }, initialDelaySeconds: 15, periodSeconds: 20 },
                readinessProbe: {
                    exec: { command: ["sh", "-c", "redis-cli ping | grep -q PONG"] },
                    initialDelaySeconds: 5,
                    periodSeconds: 10,
                },
            },
            ...(options.exporter ? [exporterContainer(names.secret)] : []),
        ],
        ...(options.exporter ? { metrics: { port: "metrics", path: "/metrics" } } : {}),
        extraVolumes: (names) => [
            { name: "redis-config", configMap: { name: names.config, items: [{ key: "redis.conf", path: "redis.conf" }] } },
            { name: "redis-auth", secret: { secretName: names.secret, items: [{ key: "auth.conf", path: "auth.conf" }] } },
        ],
    };
}

export interface RedisArgs extends RedisOptions {
    namespace: NamespaceRef;
    store: StoreModel;
    tenantId?: string;
}

export class Redis extends StatefulStore {
    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("neurallog:datastores:Redis", name, args, redisDefinition(args.store, { exporter: args.exporter }), opts);
    }
}
