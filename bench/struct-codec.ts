/**
 * `npm run bench:struct` (not a test): what one object costs to encode and decode as a
 * google.protobuf.Struct, with google-protobuf's own code and with the program's codec
 * (components/protobuf-struct.ts), each in a process of its own. The object is a
 * Deployment as the engine sends it back after an up (live state: status, managedFields),
 * and the same Deployment as the program sends it (its inputs). Prints microseconds per
 * object, the median of the rounds with min and max.
 *
 *   npm run bench:struct -- [--rounds 7] [--per-round 2000]
 */
import { execFileSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const labels = {
    "app.kubernetes.io/name": "neurallog-server",
    "app.kubernetes.io/instance": "tenant-acme",
    "app.kubernetes.io/component": "server",
    "app.kubernetes.io/part-of": "neurallog",
    "app.kubernetes.io/managed-by": "pulumi",
};
const probe = { httpGet: { path: "/health", port: "http", scheme: "HTTP" }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
const spec = {
    replicas: 1,
    selector: { matchLabels: labels },
    template: {
        metadata: { labels },
        spec: {
            automountServiceAccountToken: false,
            serviceAccountName: "server",
            securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "server",
                    image: "neurallog/server:1.2.3",
                    ports: [{ containerPort: 3030, name: "http", protocol: "TCP" }],
                    env: [
                        { name: "LOG_LEVEL", value: "info" },
                        { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis", key: "password" } } },
                    ],
                    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
                    readinessProbe: probe,
                    livenessProbe: probe,
                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
        },
    },
};

// managedFields' fieldsV1 mirrors the object's own tree, as the API server writes it.
function fields(value: unknown): unknown {
    if (Array.isArray(value)) return { ".": {}, ...Object.fromEntries(value.map((item, i) => [`k:{"name":"${item?.name ?? i}"}`, fields(item)])) };
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [`f:${k}`, fields(v)]));
    return {};
}
const inputs = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "server", namespace: "tenant-acme", labels, annotations: { "pulumi.com/patchForce": "true" } }, spec };
const status = { availableReplicas: 1, observedGeneration: 1, readyReplicas: 1, replicas: 1, updatedReplicas: 1, conditions: ["Available", "Progressing"].map((type) => ({ type, status: "True", reason: "NewReplicaSetAvailable", message: "ReplicaSet has successfully progressed.", lastTransitionTime: "2026-11-22T10:00:00Z", lastUpdateTime: "2026-11-22T10:00:05Z" })) };
const live = {
    ...inputs,
    metadata: {
        ...inputs.metadata,
        uid: "3c1f4f2e-1111-2222-3333-444455556666",
        resourceVersion: "123456",
        generation: 1,
        creationTimestamp: "2026-11-22T10:00:00Z",
        managedFields: [
            { apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:metadata": fields({ labels, annotations: inputs.metadata.annotations }), "f:spec": fields(spec) }, manager: "pulumi-kubernetes", operation: "Apply", time: "2026-11-22T10:00:00Z" },
            { apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:status": fields(status) }, manager: "kube-controller-manager", operation: "Update", subresource: "status", time: "2026-11-22T10:00:05Z" },
        ],
    },
    status,
};

/** In the child: µs per object for each operation, one number per round. */
function measure(rounds: number, perRound: number): Record<string, number[]> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("../components/protobuf-struct").useFastStructCodec();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const liveBytes = Struct.fromJavaScript(live).serializeBinary();
    const ops: Record<string, () => unknown> = {
        "send the inputs (encode)": () => Struct.fromJavaScript(inputs).serializeBinary(),
        "take in the live state (decode)": () => Struct.deserializeBinary(liveBytes).toJavaScript(),
        "mock round trip of the inputs": () => Struct.fromJavaScript(inputs).toJavaScript(),
    };
    const out: Record<string, number[]> = {};
    for (const [name, op] of Object.entries(ops)) {
        out[name] = [];
        for (let i = 0; i < perRound; i++) op(); // warm up
        for (let r = 0; r < rounds; r++) {
            const start = process.hrtime.bigint();
            for (let i = 0; i < perRound; i++) op();
            out[name].push(Number(process.hrtime.bigint() - start) / 1e3 / perRound);
        }
    }
    return out;
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const stats = (xs: number[]) => `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`;

if (process.argv[2] === "--child") {
    process.stdout.write(JSON.stringify(measure(Number(process.argv[3]), Number(process.argv[4]))));
} else {
    const rounds = arg("rounds", 7);
    const perRound = arg("per-round", 2000);
    const run = (library: boolean) =>
        JSON.parse(
            execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--child", String(rounds), String(perRound)], {
                cwd: ROOT,
                encoding: "utf8",
                env: { ...process.env, NEURALLOG_LIBRARY_STRUCT: library ? "1" : "" },
            }),
        ) as Record<string, number[]>;
    console.log(`live Deployment: ${JSON.stringify(live).length} bytes of JSON; inputs: ${JSON.stringify(inputs).length}; ${rounds} rounds of ${perRound}`);
    const library = run(true);
    const codec = run(false);
    console.log("| µs per object, median [min–max] | google-protobuf 3.21.4 | the codec | speed-up |");
    console.log("| --- | --- | --- | --- |");
    for (const op of Object.keys(library)) console.log(`| ${op} | ${stats(library[op])} | ${stats(codec[op])} | ${(median(library[op]) / median(codec[op])).toFixed(1)}× |`);
}
