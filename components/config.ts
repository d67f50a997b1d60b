/**
 * Stack config → resolved model. Reads every `neurallog:*` key, validates all of it,
 * and either returns a fully resolved PlatformModel or throws one ConfigError listing
 * every problem by key path. It registers no resource, so an invalid config can never
 * create, change or delete anything.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import {
    ENVIRONMENTS,
    EnvVarInput,
    ResourcesInput,
    rootSchemas,
    RootInput,
    RootKey,
    TENANT_NAMESPACE_PREFIX,
    tenantSchema,
    TenantInput,
} from "./config-schema";
import {
    BackupsModel,
    EnvVar,
    NetworkModel,
    NetworkRuleModel,
    PLATFORM_SECRET,
    PlatformModel,
    ResourceRequirements,
    StoreKind,
    StoreModel,
    TenantModel,
    VpaModel,
    WorkloadModel,
} from "./model";
import { registryOf } from "./images";
import { movingIn, readSiblingShards, SiblingShard, shardProblems } from "./shards";
import { Plan, PLAN_CATALOGUE, PLAN_IDS, PlanId, QuotaHard } from "./plans";
import { formatQuantity, parseQuantity } from "./quantity";

export const PROJECT = "neurallog";

/** One problem: where (`neurallog:tenants[2].tenantId`) and what rule it breaks. */
export interface ConfigProblem {
    path: string;
    message: string;
}

/**
 * A pulumi.RunError: the engine prints the message alone, without a stack trace, since
 * the fault is in the stack config, not the program.
 */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: ConfigProblem[]) {
        super(
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}); ` +
                "nothing was changed:\n" +
                problems.map((p) => `  - ${p.path} ${p.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

function keyPath(root: string, path: readonly PropertyKey[]): string {
    let out = `${PROJECT}:${root}`;
    for (const part of path) {
        out += typeof part === "number" ? `[${part}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(part)) ? `.${String(part)}` : `["${String(part)}"]`;
    }
    return out;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
    let v: unknown = value;
    for (const p of path) {
        if (v === null || typeof v !== "object") {
            return undefined;
        }
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return v;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
    const distance = (a: string, b: string) => {
        const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
        for (let j = 1; j <= b.length; j++) d[0][j] = j;
        for (let i = 1; i <= a.length; i++) {
            for (let j = 1; j <= b.length; j++) {
                d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
            }
        }
        return d[a.length][b.length];
    };
    const best = candidates
        .map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) }))
        .sort((x, y) => x.d - y.d)[0];
    return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.c : undefined;
}

/** Zod issues → problems, quoting the offending value so the user sees what was read. */
function zodProblems(root: string, schema: z.ZodType, input: unknown, error: z.ZodError, prefix: PropertyKey[] = []): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const issue of error.issues) {
        const path = [...prefix, ...issue.path];
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                const shape = schemaKeys(schema, issue.path);
                const hint = shape ? closest(key, shape) : undefined;
                problems.push({
                    path: keyPath(root, [...path, key]),
                    message: `is not a known key${hint ? ` (did you mean "${hint}"?)` : ""}`,
                });
            }
            continue;
        }
        const value = valueAt(input, issue.path);
        const shown = value === undefined ? "" : `${JSON.stringify(value)} `;
        problems.push({ path: keyPath(root, path), message: `${shown}${issue.message}` });
    }
    return problems;
}

/** For "did you mean": the keys a strict object at that path would have accepted. */
function schemaKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
    let s: z.ZodType | undefined = schema;
    for (const p of [...path, null]) {
        // Unwrap defaults, optionals, preprocess pipes to the object underneath.
        for (let guard = 0; s && guard < 10; guard++) {
            const def: Record<string, unknown> = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
            if (def.type === "default" || def.type === "optional" || def.type === "prefault" || def.type === "nullable") {
                s = def.innerType as z.ZodType;
            } else if (def.type === "pipe") {
                s = def.out as z.ZodType;
            } else {
                break;
            }
        }
        if (!s) return undefined;
        const def: Record<string, unknown> = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
        if (p === null) {
            return def.type === "object" ? Object.keys(def.shape as object) : undefined;
        }
        if (def.type === "object") {
            s = (def.shape as Record<string, z.ZodType>)[String(p)];
        } else if (def.type === "array") {
            s = def.element as z.ZodType;
        } else if (def.type === "record") {
            s = def.valueType as z.ZodType;
        } else {
            return undefined;
        }
    }
    return undefined;
}

/** Reads every `neurallog:*` value; objects and lists arrive as JSON text. */
export function readRawConfig(): Record<string, unknown> {
    const all = pulumi.runtime.allConfig();
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(all)) {
        const sep = fullKey.indexOf(":");
        if (fullKey.slice(0, sep) !== PROJECT) {
            continue;
        }
        const key = fullKey.slice(sep + 1);
        raw[key] = parseConfigText(text);
    }
    return raw;
}

function parseConfigText(text: string): unknown {
    const t = text.trim();
    if (t.startsWith("{") || t.startsWith("[") || t === "true" || t === "false" || /^-?\d+(\.\d+)?$/.test(t)) {
        try {
            return JSON.parse(t);
        } catch {
            return text;
        }
    }
    return text;
}

/**
 * Validate and resolve the whole stack config. Throws ConfigError with every problem.
 * Pure: the same raw config always gives the same model.
 */
export function resolveConfig(raw: Record<string, unknown>, siblings: SiblingShard[] = []): PlatformModel {
    const problems: ConfigProblem[] = [];
    const rootKeys = Object.keys(rootSchemas) as RootKey[];

    for (const key of Object.keys(raw)) {
        if (!(rootKeys as string[]).includes(key)) {
            const hint = closest(key, rootKeys);
            problems.push({ path: `${PROJECT}:${key}`, message: `is not a known key${hint ? ` (did you mean "${PROJECT}:${hint}"?)` : ""}` });
        }
    }
    if (raw.environment === undefined) {
        problems.push({ path: `${PROJECT}:environment`, message: `is required (one of ${ENVIRONMENTS.join(", ")})` });
    }

    // Each key parses on its own so that one bad key does not hide problems in the others.
    const parsed: Partial<RootInput> = {};
    for (const key of rootKeys) {
        if (key === "environment" && raw.environment === undefined) continue;
        const schema = rootSchemas[key] as z.ZodType;
        const result = schema.safeParse(raw[key]);
        if (result.success) {
            (parsed as Record<string, unknown>)[key] = result.data;
        } else {
            problems.push(...zodProblems(key, schema, raw[key], result.error));
            // Carry on with the key's defaults so the cross-key checks still report.
            const fallback = schema.safeParse(undefined);
            (parsed as Record<string, unknown>)[key] = fallback.success ? fallback.data : key === "environment" ? "development" : {};
        }
    }
    if (parsed.environment === undefined) parsed.environment = "development";

    const ownTenants = (Array.isArray(parsed.tenants) ? parsed.tenants : []) as Record<string, unknown>[];
    problems.push(...shardProblems({ shard: parsed.shard, tenants: ownTenants }, siblings));
    // Tenants a sibling shard is moving here are deployed by this stack from the sibling's entry.
    const arriving = movingIn(parsed.shard?.name, siblings).filter((a) => !ownTenants.some((t) => t?.tenantId === a.entry.tenantId));
    const tenantsRaw: unknown[] = [...ownTenants, ...arriving.map(({ entry: { moveTo: _, ...entry } }) => entry)];
    // Duplicates are checked on the raw ids, so a tenant with other problems still counts.
    const firstIndex = new Map<string, number>();
    tenantsRaw.forEach((item, index) => {
        const id = (item as { tenantId?: unknown } | null)?.tenantId;
        if (typeof id !== "string") return;
        const first = firstIndex.get(id);
        if (first === undefined) {
            firstIndex.set(id, index);
        } else {
            problems.push({
                path: `${PROJECT}:tenants[${index}].tenantId`,
                message: `"${id}" duplicates ${PROJECT}:tenants[${first}].tenantId; tenant ids must be unique`,
            });
        }
    });
    const tenants: { index: number; input: TenantInput }[] = [];
    tenantsRaw.forEach((item, index) => {
        const result = tenantSchema.safeParse(item);
        if (result.success) {
            tenants.push({ index, input: result.data });
        } else {
            problems.push(...zodProblems("tenants", tenantSchema, item, result.error, [index]));
        }
    });

    const input = parsed as RootInput;
    const model = resolveModel(input, tenants, problems);
    for (const [i, a] of arriving.entries()) {
        const t = model.tenants.find((x) => x.tenantId === a.entry.tenantId);
        if (t) t.movingFrom = a.stack;
        // A problem in an arriving entry is where that entry is written: the sibling's file.
        const own = `${PROJECT}:tenants[${ownTenants.length + i}]`;
        for (const problem of problems.filter((x) => x.path === own || x.path.startsWith(`${own}.`))) {
            problem.path = `Pulumi.${a.stack}.yaml ${PROJECT}:tenants[${a.index}]${problem.path.slice(own.length)}`;
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(dedupe(problems));
    }
    return model;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
    const seen = new Set<string>();
    return problems.filter((p) => {
        const k = `${p.path} ${p.message}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
    });
}

/**
 * Reads `neurallog:*` from the running stack and resolves it; a shard also reads its
 * siblings' stack files from the project directory (the program's working directory).
 */
export function loadConfig(): PlatformModel {
    const raw = readRawConfig();
    const fleet = (raw.shard as { fleet?: unknown } | undefined)?.fleet;
    let siblings: SiblingShard[] = [];
    try {
        if (typeof fleet === "string") siblings = readSiblingShards(process.cwd(), pulumi.getStack(), fleet);
    } catch (e) {
        throw new ConfigError([{ path: `${PROJECT}:shard`, message: (e as Error).message }]);
    }
    return resolveConfig(raw, siblings);
}

function toRequirements(r: ResourcesInput): ResourceRequirements {
    return {
        requests: { cpu: r.cpu.request, memory: r.memory.request },
        limits: { cpu: r.cpu.limit, memory: r.memory.limit },
    };
}

function tagOf(image: string): string | undefined {
    if (image.includes("@sha256:")) return "@digest";
    const last = image.slice(image.lastIndexOf("/") + 1);
    const i = last.indexOf(":");
    return i === -1 ? undefined : last.slice(i + 1);
}

const SERVER_PORT = 3030;

function resolveModel(
    input: RootInput,
    tenantInputs: { index: number; input: TenantInput }[],
    problems: ConfigProblem[],
): PlatformModel {
    const production = input.environment === "production";
    const p = (path: string, message: string) => problems.push({ path: `${PROJECT}:${path}`, message });
    const serverImage = input.server.image ?? `neurallog/server:${input.imageTag}`;
    const available = new Set(input.storageClasses.available);
    const checkClass = (path: string, cls: string) => {
        if (!available.has(cls)) {
            p(path, `"${cls}" is not a known storage class (known: ${[...available].join(", ")}; add it to ${PROJECT}:storageClasses.available)`);
        }
    };
    if (input.namespace.startsWith(TENANT_NAMESPACE_PREFIX)) {
        p("namespace", `"${input.namespace}" must not start with "${TENANT_NAMESPACE_PREFIX}", which is reserved for tenant namespaces`);
    }
    checkClass("storageClasses.default", input.storageClasses.default);

    // Plans: the catalogue with the stack's overrides on top.
    const plans: Record<PlanId, Plan> = structuredClone(PLAN_CATALOGUE) as Record<PlanId, Plan>;
    for (const [planId, override] of Object.entries(input.plans)) {
        if (!(PLAN_IDS as readonly string[]).includes(planId)) {
            p(`plans.${planId}`, `is not a plan of the catalogue (${PLAN_IDS.join(", ")}); overrides may only adjust those`);
            continue;
        }
        const plan = plans[planId as PlanId];
        for (const [k, v] of Object.entries(override.quota ?? {})) {
            if (v !== undefined) (plan.quota as unknown as Record<string, string>)[k] = v;
        }
        if (override.storageClass) {
            checkClass(`plans.${planId}.storageClass`, override.storageClass);
            plan.storageClass = override.storageClass;
        }
        if (override.dataStorage) plan.dataStorage = override.dataStorage;
    }

    // Server and extra services.
    const serverModel = workload({
        name: "neurallog-server",
        component: "server",
        image: serverImage,
        port: SERVER_PORT,
        healthPath: "/health",
        env: [
            { name: "NODE_ENV", value: "production" },
            { name: "PORT", value: String(SERVER_PORT) },
            { name: "REDIS_URL", value: "redis://redis:6379" },
            { name: "LOG_LEVEL", value: input.server.logLevel },
            // The generated signing key, the only consumer of neurallog-secrets.
            { name: "JWT_SECRET", valueFrom: { secretKeyRef: { name: PLATFORM_SECRET.name, key: PLATFORM_SECRET.jwtKey } } },
        ],
        replicas: input.server.replicas,
        autoscaling: input.server.autoscaling,
        pdb: input.server.pdb,
        vpa: input.server.vpa,
        resources: toRequirements(input.server.resources),
        accessTo: input.dataStores.redis.enabled ? ["redis"] : [],
        path: "server",
        problems,
    });

    // Services share the system namespace with the server and the stores: names must not clash.
    // "server" too: a service's Workload is `neurallog-<name>`, which the server's already is.
    const serviceNames = new Set<string>(["neurallog-server", "server", "redis", "postgres", "qdrant", "neo4j"]);
    const services = input.services.map((s, i) => {
        if (serviceNames.has(s.name)) p(`services[${i}].name`, `"${s.name}" is already taken by another service, the server or a data store`);
        serviceNames.add(s.name);
        for (const store of s.accessTo) {
            if (!input.dataStores[store].enabled) {
                p(`services[${i}].accessTo`, `names "${store}" but ${PROJECT}:dataStores.${store}.enabled is false`);
            }
        }
        return workload({
            name: s.name,
            component: s.component ?? s.name,
            image: s.image,
            port: s.port,
            healthPath: s.healthPath,
            metricsPort: s.metricsPort,
            metricsPath: s.metricsPath,
            startupProbe: s.startupProbe,
            env: Object.entries(s.env).map(([name, value]) => ({ name, value })),
            replicas: s.replicas,
            autoscaling: s.autoscaling,
            pdb: s.pdb,
            vpa: s.vpa,
            traffic: s.traffic,
            resources: toRequirements(s.resources),
            accessTo: s.accessTo,
            path: `services[${i}]`,
            problems,
        });
    });

    // Platform data stores.
    const stores: StoreModel[] = [];
    const ds = input.dataStores;
    for (const kind of ["redis", "postgres", "qdrant", "neo4j"] as const) {
        const s = ds[kind];
        if (!s.enabled) continue;
        const storageClass = s.storageClass ?? input.storageClasses.default;
        if (s.storageClass) checkClass(`dataStores.${kind}.storageClass`, s.storageClass);
        checkRequestsWithinLimits(`dataStores.${kind}.resources`, toRequirements(s.resources), problems);
        const v = (size: string, key: string) => ({ size, key: `dataStores.${kind}.${key}` });
        const volumes: StoreModel["volumes"] =
            kind === "redis"
                ? { data: v(ds.redis.storage, "storage") }
                : kind === "postgres"
                  ? { data: v(ds.postgres.storage, "storage") }
                  : kind === "qdrant"
                    ? { storage: v(ds.qdrant.storage, "storage"), snapshots: v(ds.qdrant.snapshotStorage, "snapshotStorage") }
                    : { data: v(ds.neo4j.storage, "storage"), logs: v(ds.neo4j.logsStorage, "logsStorage") };
        // One primary, no replication: more replicas would be separate databases behind one name.
        if ((kind === "postgres" || kind === "neo4j") && s.replicas > 1) {
            p(
                `dataStores.${kind}.replicas`,
                `must be 1: this program runs ${kind === "postgres" ? "Postgres" : "Neo4j Community"} without replication, so ${s.replicas} replicas would be ${s.replicas} unrelated ` +
                    `databases behind one Service; use an operator with real replication (e.g. ${kind === "postgres" ? "CloudNativePG" : "Neo4j Enterprise clustering"}) for more`,
            );
        }
        stores.push({
            kind,
            name: kind,
            image: s.image,
            replicas: s.replicas,
            resources: toRequirements(s.resources),
            storageClass,
            volumes,
            config: kind === "redis" ? redisConfig(ds.redis.config, toRequirements(s.resources).limits.memory, `dataStores.redis.config`, problems) : {},
            exporterImage: kind === "postgres" ? ds.postgres.exporterImage : undefined,
            database: kind === "postgres" ? ds.postgres.database : undefined,
            tenantPool: false,
            credentialRotation: input.credentialRotation[`platform/${kind}`] ?? "",
            protect: input.protectTenantData,
            retainOnDelete: false,
        });
    }

    const network = resolveNetwork(input.network, problems);

    if (input.ingress.enabled && !input.ingress.host) {
        p("ingress.host", "is required when ingress.enabled is true");
    }

    // Tenants.
    const seen = new Set<string>();
    const tenants: TenantModel[] = [];
    for (const { index, input: t } of tenantInputs) {
        if (seen.has(t.tenantId)) continue; // reported above
        seen.add(t.tenantId);
        tenants.push(resolveTenant(t, index, plans[t.planId], input, checkClass, problems));
    }

    const backups = resolveBackups(input, stores, checkClass, p);

    // Production hygiene: moving tags and open tenants are refused where they hurt.
    if (production) {
        const images: [string, string][] = [
            [input.server.image ? "server.image" : "imageTag", serverImage],
            ...services.map((s, i) => [`services[${i}].image`, s.image] as [string, string]),
            ...stores.map((s) => [`dataStores.${s.kind}.image`, s.image] as [string, string]),
            ...stores.filter((s) => s.exporterImage).map((s) => [`dataStores.${s.kind}.exporterImage`, s.exporterImage!] as [string, string]),
            ...(backups?.qdrant ? [["backups.images.curl", backups.qdrant.image] as [string, string]] : []),
            ...(backups?.volumeSnapshots ? [["backups.images.kubectl", backups.volumeSnapshots.image] as [string, string]] : []),
            ...tenants.flatMap((t) => {
                const i = tenantInputs.find((x) => x.input.tenantId === t.tenantId)!.index;
                return [
                    [`tenants[${i}].server.image`, t.server.image],
                    [`tenants[${i}].redis.image`, t.redis.image],
                    ...(t.authService ? [[`tenants[${i}].services.authService.image`, t.authService.image]] : []),
                ] as [string, string][];
            }),
        ];
        const registries = new Set(input.imageRegistries);
        if (registries.size === 0) {
            p("imageRegistries", "must list the registries production images may come from (e.g. [docker.io, quay.io])");
        }
        for (const [path, image] of images) {
            const tag = tagOf(image);
            if (tag === undefined || tag === "latest") {
                p(path, `"${image}" must pin an image tag other than "latest" in production`);
            }
            if (registries.size > 0 && !registries.has(registryOf(image))) {
                p(path, `"${image}" comes from registry ${registryOf(image)}, which is not in ${PROJECT}:imageRegistries (${[...registries].join(", ")})`);
            }
        }
        tenants.forEach((t) => {
            if (!t.networkPolicy.enabled) {
                const i = tenantInputs.find((x) => x.input.tenantId === t.tenantId)!.index;
                p(`tenants[${i}].networkPolicy.enabled`, "may be false only outside production");
            }
        });
    }

    // Rotation keys must name a credential this stack generates: a misspelt key would
    // silently rotate nothing.
    const credentials = [
        "platform/jwt-secret",
        ...stores.map((s) => `platform/${s.kind}`),
        ...tenants.map((t) => `tenant/${t.tenantId}/redis`),
    ];
    for (const key of Object.keys(input.credentialRotation)) {
        if (!credentials.includes(key)) {
            const hint = closest(key, credentials);
            p(`credentialRotation["${key}"]`, `names no credential this stack generates (${hint ? `did you mean "${hint}"? ` : ""}known: ${credentials.join(", ")})`);
        }
    }

    return {
        environment: input.environment,
        cluster: input.cluster,
        network,
        imageRegistries: input.imageRegistries,
        production,
        namespace: input.namespace,
        imageTag: input.imageTag,
        server: serverModel,
        services,
        stores,
        storageClasses: input.storageClasses,
        observability: input.observability,
        ingress: input.ingress,
        mesh: input.mesh,
        backups,
        tenants,
        jwtSecretRotation: input.credentialRotation["platform/jwt-secret"] ?? "",
    };
}

/**
 * Backups of the system namespace's stores: a job per store that runs, VolumeSnapshots
 * when a class is named. Enabled with nothing to back up is a mistake, not a no-op.
 */
function resolveBackups(
    input: RootInput,
    stores: StoreModel[],
    checkClass: (path: string, cls: string) => void,
    p: (path: string, message: string) => void,
): BackupsModel | undefined {
    const b = input.backups;
    if (!b.enabled) return undefined;
    checkClass("backups.storageClass", b.storageClass);
    const store = (kind: StoreKind) => stores.find((s) => s.kind === kind);
    const qdrant = store("qdrant");
    const neo4j = store("neo4j");
    const className = b.volumeSnapshots.className;
    if (!qdrant && !neo4j && !className) {
        p("backups.enabled", "backs up nothing: enable dataStores.qdrant or dataStores.neo4j, or name backups.volumeSnapshots.className");
    }
    return {
        storageClass: b.storageClass,
        size: b.size,
        retentionDays: b.retentionDays,
        qdrant: qdrant ? { schedule: b.qdrant.schedule, image: b.images.curl } : undefined,
        neo4j: neo4j ? { schedule: b.neo4j.schedule, image: neo4j.image } : undefined,
        volumeSnapshots: className
            ? { className, schedule: b.volumeSnapshots.schedule, keep: b.volumeSnapshots.keep, image: b.images.kubectl }
            : undefined,
    };
}

/** What `workload()` needs: the model's fields, with optional ones defaulted, plus where it sits in config. */
type WorkloadArgs = Omit<WorkloadModel, "metricsPath" | "startupProbe" | "autoscaling" | "tenantPool" | "vpa"> & {
    vpa?: VpaModel & { enabled: boolean };
    metricsPath?: string;
    startupProbe?: boolean;
    autoscaling?: { enabled: boolean; minReplicas: number; maxReplicas: number; targetCPUUtilization: number; targetMemoryUtilization?: number };
    tenantPool?: boolean;
    path: string;
    problems: ConfigProblem[];
};

function workload(a: WorkloadArgs): WorkloadModel {
    const p = (path: string, message: string) => a.problems.push({ path: `${PROJECT}:${a.path}.${path}`, message });
    const hpa = a.autoscaling?.enabled ? a.autoscaling : undefined;
    if (hpa && hpa.minReplicas > hpa.maxReplicas) {
        p("autoscaling.minReplicas", `${hpa.minReplicas} must not exceed autoscaling.maxReplicas (${hpa.maxReplicas})`);
    }
    const floor = hpa ? hpa.minReplicas : a.replicas;
    if (a.pdb && a.pdb.minAvailable >= floor) {
        p(
            "pdb.minAvailable",
            `${a.pdb.minAvailable} must be less than the ${hpa ? "minimum " : ""}replica count (${floor}), or no node could ever be drained`,
        );
    }
    checkRequestsWithinLimits(`${a.path}.resources`, a.resources, a.problems);
    const vpa = a.vpa?.enabled ? a.vpa : undefined;
    if (vpa && hpa && vpa.updateMode !== "Off") {
        // An HPA scales on utilisation, a ratio to the request the VPA would be changing:
        // both acting on one resource makes each chase the other.
        const scaledOn = ["cpu", ...(hpa.targetMemoryUtilization ? ["memory"] : [])];
        const overlap = vpa.controlledResources.filter((r) => scaledOn.includes(r));
        if (overlap.length > 0) {
            p(
                "vpa.updateMode",
                `"${vpa.updateMode}" would change the ${overlap.join(" and ")} requests the HPA (autoscaling) scales on; ` +
                    `use updateMode "Off" (recommendations only) or leave ${overlap.join(" and ")} out of vpa.controlledResources`,
            );
        }
    }
    for (const r of ["cpu", "memory"] as const) {
        const [min, max] = [vpa?.minAllowed[r], vpa?.maxAllowed[r]];
        if (min && max && parseQuantity(min) > parseQuantity(max)) p(`vpa.minAllowed.${r}`, `${min} must not exceed vpa.maxAllowed.${r} (${max})`);
    }
    // A workload that may reach a store also gets its credential, from the store's generated Secret.
    const credentials = a.accessTo
        .map((store) => ({ name: STORE_CREDENTIAL_ENV[store].env, valueFrom: { secretKeyRef: { name: `${store}-auth`, key: STORE_CREDENTIAL_ENV[store].key } } }))
        .filter((c) => !a.env.some((e) => e.name === c.name));
    return {
        name: a.name,
        component: a.component,
        image: a.image,
        port: a.port,
        healthPath: a.healthPath,
        metricsPort: a.metricsPort,
        metricsPath: a.metricsPath ?? "/metrics",
        startupProbe: a.startupProbe ?? false,
        env: [...a.env, ...credentials],
        replicas: hpa ? hpa.minReplicas : a.replicas,
        autoscaling: hpa
            ? {
                  minReplicas: hpa.minReplicas,
                  maxReplicas: hpa.maxReplicas,
                  targetCPUUtilization: hpa.targetCPUUtilization,
                  targetMemoryUtilization: hpa.targetMemoryUtilization,
              }
            : undefined,
        pdb: a.pdb,
        resources: a.resources,
        accessTo: a.accessTo,
        tenantPool: a.tenantPool ?? false,
        vpa: vpa
            ? { updateMode: vpa.updateMode, controlledResources: vpa.controlledResources, minAllowed: vpa.minAllowed, maxAllowed: vpa.maxAllowed }
            : undefined,
        traffic: a.traffic,
    };
}

/** Environment variable and Secret key through which each store's credential reaches its clients. */
const STORE_CREDENTIAL_ENV: Record<StoreKind, { env: string; key: string }> = {
    redis: { env: "REDIS_PASSWORD", key: "password" },
    postgres: { env: "POSTGRES_PASSWORD", key: "password" },
    qdrant: { env: "QDRANT_API_KEY", key: "api-key" },
    neo4j: { env: "NEO4J_PASSWORD", key: "password" },
};

function checkRequestsWithinLimits(path: string, r: ResourceRequirements, problems: ConfigProblem[]) {
    for (const res of ["cpu", "memory"] as const) {
        if (parseQuantity(r.requests[res]) > parseQuantity(r.limits[res])) {
            problems.push({
                path: `${PROJECT}:${path}.${res}`,
                message: `request ${r.requests[res]} must not exceed limit ${r.limits[res]}`,
            });
        }
    }
}

/** Directives the platform owns: the password comes from a generated secret, paths from the volumes. */
const REDIS_RESERVED = ["requirepass", "masterauth", "port", "dir", "bind", "include", "daemonize"];

/** Redis memory sizes as redis.conf reads them: `1k` = 1000, `1kb` = 1024, and so on. */
export function parseRedisMemory(value: string): number | undefined {
    const m = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(value.trim());
    if (!m) return undefined;
    const unit = (m[2] ?? "").toLowerCase();
    const factor = { "": 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 }[unit]!;
    return Number(m[1]) * factor;
}

/**
 * Share of the container's memory limit Redis may fill. The rest is headroom for the
 * allocator, client buffers and AOF rewrites; at 100% the kernel kills Redis before
 * eviction starts, and with AOF on it then crash-loops on restart.
 */
export const REDIS_MAXMEMORY_SHARE = 0.75;

function redisConfig(extra: Record<string, string>, memoryLimit: string, path: string, problems: ConfigProblem[]): Record<string, string> {
    const limit = parseQuantity(memoryLimit);
    const derived = `${Math.floor((limit * REDIS_MAXMEMORY_SHARE) / 1024 ** 2)}mb`;
    if (extra.maxmemory !== undefined) {
        const bytes = parseRedisMemory(String(extra.maxmemory));
        if (bytes === undefined) {
            problems.push({ path: `${PROJECT}:${path}.maxmemory`, message: `"${extra.maxmemory}" must be a Redis memory size such as ${derived}` });
        } else if (bytes >= limit) {
            problems.push({
                path: `${PROJECT}:${path}.maxmemory`,
                message: `${extra.maxmemory} must stay below the container's memory limit of ${memoryLimit}, or the kernel kills Redis before it evicts; leave it unset for ${derived} (${REDIS_MAXMEMORY_SHARE * 100}% of the limit)`,
            });
        }
    }
    for (const key of Object.keys(extra)) {
        if (REDIS_RESERVED.includes(key.toLowerCase())) {
            problems.push({ path: `${PROJECT}:${path}.${key}`, message: "is set by the platform and may not be overridden" });
        } else if (!/^[a-z][a-z0-9-]*$/.test(key)) {
            problems.push({ path: `${PROJECT}:${path}.${key}`, message: "must be a redis.conf directive name (lower-case, dashes)" });
        }
    }
    // The seed's redis.conf, then the stack's settings on top.
    return { maxmemory: derived, "maxmemory-policy": "allkeys-lru", appendonly: "yes", appendfsync: "everysec", loglevel: "notice", ...extra };
}

const TENANT_SERVER_ENV: EnvVar[] = [
    { name: "NODE_ENV", value: "production" },
    { name: "PORT", value: String(SERVER_PORT) },
    { name: "REDIS_URL", value: "redis://redis:6379" },
    { name: "LOG_LEVEL", value: "info" },
];

function mergeEnv(defaults: EnvVar[], overrides: EnvVarInput[]): EnvVar[] {
    const out = defaults.map((e) => ({ ...e }));
    for (const o of overrides) {
        const e: EnvVar = o.valueFrom ? { name: o.name, valueFrom: o.valueFrom } : { name: o.name, value: o.value ?? "" };
        const i = out.findIndex((x) => x.name === o.name);
        if (i >= 0) out[i] = e;
        else out.push(e);
    }
    return out;
}

function resolveTenant(
    t: TenantInput,
    index: number,
    plan: Plan,
    input: RootInput,
    checkClass: (path: string, cls: string) => void,
    problems: ConfigProblem[],
): TenantModel {
    const at = `tenants[${index}]`;
    const p = (path: string, message: string) => problems.push({ path: `${PROJECT}:${at}${path ? "." + path : ""}`, message });
    const planId = t.planId as PlanId;
    // Leaving this stack (offboarded, or moving to another shard): what it keeps stays in the cluster.
    const leaving = t.decommission || t.moveTo !== undefined;
    if (t.decommission && t.moveTo !== undefined) p("moveTo", "cannot be set on a decommissioned tenant: a tenant either leaves the fleet or moves within it");

    // Tenant quota: the plan's numbers, lowered where the tenant asks for less.
    const quota: QuotaHard = { ...plan.quota };
    const r = t.resources;
    const lower = (key: keyof QuotaHard, value: string | number | undefined, path: string) => {
        if (value === undefined) return;
        const v = String(value);
        if (parseQuantity(v) > parseQuantity(plan.quota[key])) {
            p(path, `${v} exceeds the "${planId}" plan's ${key} of ${plan.quota[key]}`);
        }
        quota[key] = v;
    };
    lower("requests.cpu", r.cpu?.request, "resources.cpu.request");
    lower("limits.cpu", r.cpu?.limit, "resources.cpu.limit");
    lower("requests.memory", r.memory?.request, "resources.memory.request");
    lower("limits.memory", r.memory?.limit, "resources.memory.limit");
    lower("requests.storage", r.storage?.request, "resources.storage.request");
    lower("pods", r.pods, "resources.pods");
    lower("services", r.services, "resources.services");

    const storageClass = r.storage?.storageClass ?? plan.storageClass;
    checkClass(`${at}.${r.storage?.storageClass ? "resources.storage.storageClass" : "planId"}`, storageClass);
    // The cache's class does not follow the plan: a plan change must never replace a StatefulSet.
    const redisClass = t.redis.storageClass ?? input.storageClasses.default;
    if (t.redis.storageClass) checkClass(`${at}.redis.storageClass`, t.redis.storageClass);
    const dataStorage = t.dataStorage ?? plan.dataStorage;
    const redisStorage = t.redis.storage ?? dataStorage;

    const server = workload({
        name: "neurallog-server",
        component: "log-server",
        image: t.server.image ?? `neurallog/server:${input.imageTag}`,
        port: SERVER_PORT,
        healthPath: "/health",
        env: [
            ...mergeEnv(TENANT_SERVER_ENV, t.server.env),
        ],
        replicas: t.server.replicas,
        pdb: t.server.replicas > 1 ? { minAvailable: 1 } : undefined,
        resources: toRequirements(t.server.resources),
        accessTo: ["redis"],
        tenantPool: true,
        path: `${at}.server`,
        problems,
    });
    const auth = t.services.authService;
    const authService = auth.enabled
        ? workload({
              name: "auth-service",
              component: "auth",
              image: auth.image ?? `neurallog/auth:${input.imageTag}`,
              port: 8080,
              healthPath: "/health",
              env: [{ name: "PORT", value: "8080" }],
              replicas: auth.replicas,
              pdb: auth.replicas > 1 ? { minAvailable: 1 } : undefined,
              resources: toRequirements(auth.resources),
              accessTo: ["redis"],
              tenantPool: true,
              path: `${at}.services.authService`,
              problems,
          })
        : undefined;
    const redis: StoreModel = {
        kind: "redis",
        name: "redis",
        image: t.redis.image,
        replicas: t.redis.replicas,
        resources: toRequirements(t.redis.resources),
        storageClass: redisClass,
        // The tenant's data lives in its Redis: its volume is the tenant data volume, sized by
        // the plan unless the tenant sets its own.
        volumes: { data: { size: redisStorage, key: t.redis.storage ? `${at}.redis.storage` : t.dataStorage ? `${at}.dataStorage` : `${at}.planId` } },
        protect: input.protectTenantData && !leaving,
        retainOnDelete: leaving,
        config: redisConfig(t.redis.config, toRequirements(t.redis.resources).limits.memory, `${at}.redis.config`, problems),
        tenantPool: true,
        credentialRotation: input.credentialRotation[`tenant/${t.tenantId}/redis`] ?? "",
    };
    checkRequestsWithinLimits(`${at}.redis.resources`, redis.resources, problems);

    checkTenantFits(t, index, planId, quota, plan, { server, authService, redis }, problems);

    const spec: Record<string, unknown> = {
        tenantId: t.tenantId,
        planId,
        billingEmail: t.billingEmail,
        displayName: t.displayName ?? t.tenantId,
        ...(t.description ? { description: t.description } : {}),
        namespace: `${TENANT_NAMESPACE_PREFIX}${t.tenantId}`,
        resources: {
            cpu: { requests: quota["requests.cpu"], limits: quota["limits.cpu"] },
            memory: { requests: quota["requests.memory"], limits: quota["limits.memory"] },
            storage: { requests: quota["requests.storage"], storageClass },
            pods: Number(quota.pods),
            services: Number(quota.services),
        },
        server: { replicas: server.replicas, image: server.image, resources: server.resources },
        redis: { replicas: redis.replicas, image: redis.image, resources: redis.resources, storage: redisStorage, config: redis.config },
        networkPolicy: t.networkPolicy,
        features: t.features,
    };

    return {
        tenantId: t.tenantId,
        planId,
        billingEmail: t.billingEmail,
        displayName: t.displayName ?? t.tenantId,
        description: t.description,
        namespace: `${TENANT_NAMESPACE_PREFIX}${t.tenantId}`,
        quota,
        limitRange: plan.limitRange,
        dataStorage,
        storageClass,
        server,
        authService,
        redis,
        networkPolicy: {
            enabled: t.networkPolicy.enabled,
            allowedNamespaces: t.networkPolicy.allowedNamespaces,
            ingressRules: t.networkPolicy.ingressRules.map((x, i) => networkRule(x, "ingress", `${at}.networkPolicy.ingressRules[${i}]`, problems)),
            egressRules: t.networkPolicy.egressRules.map((x, i) => networkRule(x, "egress", `${at}.networkPolicy.egressRules[${i}]`, problems)),
        },
        features: t.features,
        protect: input.protectTenantData && !leaving,
        retainOnDelete: leaving,
        movingTo: t.moveTo,
        spec,
    };
}

/**
 * A tenant's own network rule. It must name its peer — pod labels (`from` for ingress,
 * `to` for egress), namespaces, or both — because a rule without one selects every pod
 * in every namespace; ports are required by the schema for the same reason.
 */
function networkRule(
    r: TenantInput["networkPolicy"]["ingressRules"][number],
    direction: "ingress" | "egress",
    at: string,
    problems: ConfigProblem[],
): NetworkRuleModel {
    const [own, other] = direction === "ingress" ? (["from", "to"] as const) : (["to", "from"] as const);
    if (r[other] !== undefined) {
        problems.push({ path: `${PROJECT}:${at}.${other}`, message: `is not allowed in an ${direction} rule; name the peer's pod labels with "${own}"` });
    }
    const podLabels = r[own] ?? {};
    if (Object.keys(podLabels).length === 0 && r.namespaces.length === 0) {
        problems.push({
            path: `${PROJECT}:${at}`,
            message: `must name its peer with "${own}" (pod labels) and/or "namespaces": a rule without a peer would admit every pod of every namespace`,
        });
    }
    return { description: r.description, podLabels, namespaces: r.namespaces, ports: r.ports };
}

/** Link-local ranges: the cloud instance-metadata endpoint (169.254.169.254) lives there. */
export const ALWAYS_EXCLUDED_CIDRS = ["169.254.0.0/16", "fe80::/10"];

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parseCidr(value: string, path: string, problems: ConfigProblem[]): Range | undefined {
    try {
        const [addr, bits] = ipaddr.parseCIDR(value);
        const network = ipaddr.IPv4.isValid(value.split("/")[0])
            ? ipaddr.IPv4.networkAddressFromCIDR(value)
            : ipaddr.IPv6.networkAddressFromCIDR(value);
        if (network.toString() !== addr.toString()) {
            problems.push({ path: `${PROJECT}:${path}`, message: `"${value}" has host bits set; write the range as ${network.toString()}/${bits}` });
            return undefined;
        }
        return [addr, bits];
    } catch {
        problems.push({ path: `${PROJECT}:${path}`, message: `"${value}" is not a range in CIDR notation such as 203.0.113.0/24` });
        return undefined;
    }
}

/** Is range `inner` inside range `outer` (same family)? */
function within(inner: Range, outer: Range): boolean {
    return inner[0].kind() === outer[0].kind() && inner[1] >= outer[1] && inner[0].match(outer as [never, number]);
}

/**
 * Web egress: every allowed range with the excluded ones inside it cut out (`except`
 * must lie within its `cidr`). A range wholly inside an excluded one is refused: it
 * would open exactly what must stay closed.
 */
export function resolveNetwork(n: RootInput["network"], problems: ConfigProblem[]): NetworkModel {
    const excluded: [string, Range][] = [];
    for (const [key, list] of [["network.podCidrs", n.podCidrs], ["network.serviceCidrs", n.serviceCidrs]] as const) {
        list.forEach((c, i) => {
            const r = parseCidr(c, `${key}[${i}]`, problems);
            if (r) excluded.push([c, r]);
        });
    }
    for (const c of ALWAYS_EXCLUDED_CIDRS) excluded.push([c, ipaddr.parseCIDR(c)]);
    const egress: NetworkModel["egress"] = [];
    n.egressCidrs.forEach((c, i) => {
        const path = `network.egressCidrs[${i}]`;
        const r = parseCidr(c, path, problems);
        if (!r) return;
        const covering = excluded.find(([, e]) => within(r, e));
        if (covering) {
            problems.push({
                path: `${PROJECT}:${path}`,
                message: `"${c}" lies inside ${covering[0]} (link-local or the cluster's pod/service ranges), which tenants may never reach`,
            });
            return;
        }
        egress.push({ cidr: c, except: excluded.filter(([, e]) => within(e, r)).map(([s]) => s) });
    });
    return { egress, dns: { namespace: n.dns.namespace, podLabels: n.dns.podLabels } };
}

/**
 * Does the tenant's own footprint fit its quota and limit range? Deployments count one
 * extra pod each, because a rolling update (maxSurge 1, maxUnavailable 0) runs it
 * alongside the old ones and the quota would otherwise block the rollout.
 */
function checkTenantFits(
    t: TenantInput,
    index: number,
    planId: PlanId,
    quota: QuotaHard,
    plan: Plan,
    parts: { server: WorkloadModel; authService?: WorkloadModel; redis: StoreModel },
    problems: ConfigProblem[],
) {
    const at = `${PROJECT}:tenants[${index}]`;
    const pods: { label: string; path: string; count: number; resources: ResourceRequirements }[] = [
        { label: "server", path: "server", count: parts.server.replicas + 1, resources: parts.server.resources },
        ...(parts.authService
            ? [{ label: "authService", path: "services.authService", count: parts.authService.replicas + 1, resources: parts.authService.resources }]
            : []),
        { label: "redis", path: "redis", count: parts.redis.replicas, resources: parts.redis.resources },
    ];
    const quotaSource = (key: keyof QuotaHard) =>
        quota[key] === plan.quota[key] ? `plan "${planId}" allows ${quota[key]}` : `the tenant's quota allows ${quota[key]}`;

    const sums: [keyof QuotaHard, "cpu" | "bytes", (r: ResourceRequirements) => string][] = [
        ["requests.cpu", "cpu", (r) => r.requests.cpu],
        ["limits.cpu", "cpu", (r) => r.limits.cpu],
        ["requests.memory", "bytes", (r) => r.requests.memory],
        ["limits.memory", "bytes", (r) => r.limits.memory],
    ];
    for (const [key, kind, pick] of sums) {
        // Millicores and bytes are integers; sum them as such to avoid float drift.
        const unit = kind === "cpu" ? 1000 : 1;
        const total = pods.reduce((acc, x) => acc + x.count * Math.round(parseQuantity(pick(x.resources)) * unit), 0);
        if (total > Math.round(parseQuantity(quota[key]) * unit)) {
            const detail = pods.map((x) => `${x.label} ${x.count}×${pick(x.resources)}`).join(" + ");
            problems.push({
                path: at,
                message: `needs ${formatQuantity(total / unit, kind)} of ${key} (${detail}, counting one rolling-update surge pod per Deployment) but ${quotaSource(key)}`,
            });
        }
    }
    const podCount = pods.reduce((a, x) => a + x.count, 0);
    if (podCount > Number(quota.pods)) {
        problems.push({ path: at, message: `needs ${podCount} pods (including rolling-update surge) but ${quotaSource("pods")}` });
    }
    const serviceCount = 2 + (parts.authService ? 1 : 0);
    if (serviceCount > Number(quota.services)) {
        problems.push({ path: at, message: `needs ${serviceCount} services but ${quotaSource("services")}` });
    }
    const data = parts.redis.volumes.data;
    const storage = parts.redis.replicas * parseQuantity(data.size);
    if (storage > parseQuantity(quota["requests.storage"])) {
        problems.push({
            path: at,
            message: `needs ${formatQuantity(storage, "bytes")} of requests.storage (redis data volumes ${parts.redis.replicas}×${data.size}) but ${quotaSource("requests.storage")}`,
        });
    }
    const pvcs = parts.redis.replicas;
    if (pvcs > Number(quota.persistentvolumeclaims)) {
        problems.push({ path: at, message: `needs ${pvcs} persistentvolumeclaims but ${quotaSource("persistentvolumeclaims")}` });
    }

    // Each container against the plan's LimitRange, which the API server would enforce at pod creation.
    const lr = plan.limitRange.container;
    for (const x of pods) {
        for (const res of ["cpu", "memory"] as const) {
            const kind = res === "cpu" ? "cpu" : "bytes";
            if (parseQuantity(x.resources.limits[res]) > parseQuantity(lr.max[res])) {
                problems.push({
                    path: `${at}.${x.path}.resources.${res}.limit`,
                    message: `${x.resources.limits[res]} exceeds the "${planId}" plan's container maximum of ${lr.max[res]}`,
                });
            }
            if (parseQuantity(x.resources.requests[res]) < parseQuantity(lr.min[res])) {
                problems.push({
                    path: `${at}.${x.path}.resources.${res}.request`,
                    message: `${x.resources.requests[res]} is below the "${planId}" plan's container minimum of ${formatQuantity(parseQuantity(lr.min[res]), kind)}`,
                });
            }
        }
    }
    const size = parseQuantity(data.size);
    if (size > parseQuantity(plan.limitRange.pvc.max) || size < parseQuantity(plan.limitRange.pvc.min)) {
        problems.push({
            path: `${PROJECT}:${data.key}`,
            message: `${data.size} must be between ${plan.limitRange.pvc.min} and ${plan.limitRange.pvc.max} (the "${planId}" plan's volume limits)`,
        });
    }
}
