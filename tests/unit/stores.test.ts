/**
 * Replicated stores and their volumes: clients reach only a member that takes writes and
 * is ready, replication exists where replicas do, and a config change never shrinks a
 * volume, grows one its class cannot, or replaces a StatefulSet.
 */
import * as assert from "assert";
import { ConfigError, resolveConfig } from "../../components/config";
import { qdrantDefinition } from "../../components/datastores/qdrant";
import { LiveVolumes } from "../../components/volumes";
import { Run, Registered, runProgram, stackConfig } from "./harness";

const of = (run: Run, type: string, name: string, namespace?: string): Registered => {
    const r = run.resources.find((x) => x.type === type && x.inputs.metadata?.name === name && (!namespace || x.inputs.metadata.namespace === namespace));
    assert.ok(r, `no ${type} ${namespace ?? ""}/${name}`);
    return r;
};
const SERVICE = "kubernetes:core/v1:Service";
const STS = "kubernetes:apps/v1:StatefulSet";

function problemsOf(config: Record<string, unknown>): string[] {
    try {
        resolveConfig(config);
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.problems.map((p) => `${p.path} ${p.message}`);
    }
    assert.fail("config was accepted");
}

describe("replicated stores", () => {
    let run: Run;
    const prod = stackConfig("production");
    before(async () => {
        run = await runProgram(prod, "production");
        assert.ifError(run.error);
    });

    it("sends Redis clients to the primary only, and only when it is ready; replicas follow it through the peers Service", () => {
        assert.ok(prod.dataStores.redis.replicas > 1, "production runs Redis replicas");
        const client = of(run, SERVICE, "redis", prod.namespace).inputs.spec;
        assert.notStrictEqual(client.clusterIP, "None", "the client Service must not be headless (DNS would hand out every member)");
        assert.ok(!client.publishNotReadyAddresses, "not-ready members must not receive traffic");
        assert.strictEqual(client.selector["statefulset.kubernetes.io/pod-name"], "redis-0");
        const peers = of(run, SERVICE, "redis-peers", prod.namespace).inputs.spec;
        assert.strictEqual(peers.clusterIP, "None");
        assert.strictEqual(peers.publishNotReadyAddresses, true);
        const sts = of(run, STS, "redis", prod.namespace).inputs.spec;
        assert.strictEqual(sts.serviceName, "redis-peers");
        assert.match(sts.template.spec.containers[0].command.join(" "), /--replicaof redis-0\.redis-peers 6379/);
    });

    it("runs Qdrant replicas as one cluster, members joining member 0 on the peer port the policies open", () => {
        assert.ok(prod.dataStores.qdrant.replicas > 1, "production runs Qdrant replicas");
        const c = of(run, STS, "qdrant", prod.namespace).inputs.spec.template.spec.containers[0];
        assert.ok(c.env.some((e: any) => e.name === "QDRANT__CLUSTER__ENABLED" && e.value === "true"), JSON.stringify(c.env));
        assert.match(c.command.join(" "), /--bootstrap http:\/\/qdrant-0\.qdrant-peers:6335/);
        assert.ok(of(run, SERVICE, "qdrant-peers", prod.namespace).inputs.spec.ports.some((p: any) => p.port === 6335));
        // Every ready member serves clients in cluster mode.
        assert.strictEqual(of(run, SERVICE, "qdrant", prod.namespace).inputs.spec.selector["statefulset.kubernetes.io/pod-name"], undefined);
        const ingress = of(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "qdrant-ingress", prod.namespace).inputs.spec.ingress[0];
        assert.ok(ingress.ports.some((p: any) => p.port === 6335));
    });

    it("keeps a single Qdrant out of cluster mode", () => {
        const model = resolveConfig({ ...prod, dataStores: { ...prod.dataStores, qdrant: { ...prod.dataStores.qdrant, replicas: 1 } } });
        const def = qdrantDefinition(model.stores.find((s) => s.kind === "qdrant")!);
        const c = def.containers({ secret: "s", config: "c" })[0];
        assert.strictEqual(c.command, undefined);
        assert.ok(!(c.env ?? []).some((e) => e.name.startsWith("QDRANT__CLUSTER__")), JSON.stringify(c.env));
        assert.strictEqual(def.primaryOnly, true);
    });

    for (const kind of ["postgres", "neo4j"]) {
        it(`refuses ${kind} replicas, which would be unrelated primaries`, () => {
            const config = { ...prod, dataStores: { ...prod.dataStores, [kind]: { ...prod.dataStores[kind], enabled: true, replicas: 3 } } };
            const problems = problemsOf(config);
            assert.ok(
                problems.some((p) => p.startsWith(`neurallog:dataStores.${kind}.replicas must be 1: this program runs`) && p.includes("3 unrelated databases")),
                problems.join("\n"),
            );
        });
    }
});

describe("data volumes under config changes", () => {
    const config = stackConfig("test");
    const tenant = config.tenants[0];
    const deployed = { tenants: Object.fromEntries(config.tenants.map((t: any) => [t.tenantId, { decommission: false }])) };
    const claimKey = `tenant-${tenant.tenantId}/data-redis-0`;
    const live = (size: string, expandable: boolean): LiveVolumes => ({
        claims: new Map([[claimKey, { size, storageClass: "standard" }]]),
        expandable: new Map([["standard", expandable]]),
    });
    const registered = (r: Run) => r.resources.filter((x) => x.type !== "pulumi:pulumi:Stack");

    it("refuses a change that would shrink a live volume, naming the key, before registering anything", async () => {
        const run = await runProgram(config, "test", deployed, new Map(), undefined, live("500Gi", true));
        assert.ok(run.error instanceof ConfigError, `not refused: ${run.error}`);
        const message = run.error.message;
        assert.match(message, new RegExp(`neurallog:tenants\\[0\\]\\.planId \\S+ would shrink volume ${claimKey} from 500Gi; Kubernetes cannot shrink a volume`));
        assert.deepStrictEqual(registered(run).map((r) => r.name), []);
    });

    it("refuses to grow a volume whose storage class does not allow expansion", async () => {
        const run = await runProgram(config, "test", deployed, new Map(), undefined, live("1Mi", false));
        assert.ok(run.error instanceof ConfigError, `not refused: ${run.error}`);
        assert.match(run.error.message, /storage class "standard" does not allow volume expansion/);
        assert.deepStrictEqual(registered(run).map((r) => r.name), []);
    });

    it("grows a volume in place where the class allows it, and an unchanged size passes", async () => {
        for (const size of ["1Mi", undefined]) {
            const run = await runProgram(config, "test", deployed, new Map(), undefined, size ? live(size, true) : undefined);
            assert.ifError(run.error);
            const claim = run.resources.find((r) => r.name === `tenant-${tenant.tenantId}-redis-data-redis-0`);
            assert.ok(claim && claim.opts?.ignoreChanges?.includes("spec.storageClassName"));
        }
    });
});

describe("Redis exporter", () => {
    let run: Run;
    const prod = stackConfig("production");
    before(async () => {
        run = await runProgram(prod, "production");
        assert.ifError(run.error);
    });
    const redisSets = () => run.resources.filter((r) => r.type === STS && r.inputs.metadata.name === "redis");

    it("runs beside every member of the platform's Redis, as locked down as Redis itself, reading the store's own password", () => {
        const pod = of(run, STS, "redis", prod.namespace).inputs.spec.template.spec;
        assert.deepStrictEqual(pod.containers.map((c: any) => c.name), ["redis", "exporter"]);
        const exporter = pod.containers[1];
        // The Aquaculture layout's Redis metrics port, pinned to a release.
        assert.match(exporter.image, /^oliver006\/redis_exporter:v\d+\.\d+\.\d+$/);
        assert.deepStrictEqual(exporter.ports, [{ name: "metrics", containerPort: 9121 }]);
        assert.deepStrictEqual(
            exporter.env.find((e: any) => e.name === "REDIS_PASSWORD").valueFrom.secretKeyRef,
            pod.containers[0].env.find((e: any) => e.name === "REDISCLI_AUTH").valueFrom.secretKeyRef,
        );
        assert.strictEqual(exporter.env.find((e: any) => e.name === "REDIS_ADDR").value, "redis://127.0.0.1:6379");
        assert.deepStrictEqual(exporter.securityContext, pod.containers[0].securityContext);
        assert.deepStrictEqual(exporter.securityContext.capabilities, { drop: ["ALL"] });
        assert.strictEqual(exporter.securityContext.readOnlyRootFilesystem, true);
        assert.strictEqual(exporter.securityContext.runAsNonRoot, true);
        for (const kind of ["requests", "limits"]) for (const r of ["cpu", "memory"]) assert.ok(exporter.resources[kind][r], `${kind}.${r}`);
        assert.strictEqual(exporter.livenessProbe.httpGet.port, "metrics");
        assert.strictEqual(exporter.readinessProbe.httpGet.port, "metrics");
    });

    it("is reachable through the peers Service, which lists every member", () => {
        for (const name of ["redis", "redis-peers"]) {
            const ports = of(run, SERVICE, name, prod.namespace).inputs.spec.ports;
            assert.ok(ports.some((p: any) => p.name === "metrics" && p.port === 9121 && p.targetPort === "metrics"), `${name}: ${JSON.stringify(ports)}`);
        }
    });

    it("stays out of tenants' Redis, whose quota fit is checked without it and which monitoring cannot reach", () => {
        const tenants = redisSets().filter((s) => s.inputs.metadata.namespace !== prod.namespace);
        assert.strictEqual(tenants.length, prod.tenants.length);
        for (const sts of tenants) {
            assert.deepStrictEqual(sts.inputs.spec.template.spec.containers.map((c: any) => c.name), ["redis"], sts.inputs.metadata.namespace);
            const peers = of(run, SERVICE, "redis-peers", sts.inputs.metadata.namespace).inputs.spec.ports;
            assert.ok(!peers.some((p: any) => p.name === "metrics"), sts.inputs.metadata.namespace);
        }
    });
});
