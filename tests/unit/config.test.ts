/**
 * Bad input: each class of mistake is refused with a message naming the key and the
 * rule, all problems at once, and the program registers nothing at all.
 */
import * as assert from "assert";
import { ConfigError, parseRedisMemory, resolveConfig } from "../../components/config";
import { PLAN_CATALOGUE } from "../../components/plans";
import { parseQuantity } from "../../components/quantity";
import { Run, runProgram, stackConfig } from "./harness";

const base = () => stackConfig("test");
const tenant = (over: Record<string, unknown> = {}) => ({
    tenantId: "new-co",
    planId: "starter",
    billingEmail: "billing@new-co.example",
    ...over,
});

function problemsOf(config: Record<string, unknown>): string[] {
    try {
        resolveConfig(config);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems.map((p) => `${p.path} ${p.message}`);
    }
    assert.fail("config was accepted");
}

function registeredByProgram(run: Run) {
    return run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
}

const cases: { name: string; config: () => Record<string, unknown>; expect: RegExp }[] = [
    {
        name: "a tenant id that is not a DNS label",
        config: () => ({ ...base(), tenants: [tenant({ tenantId: "Acme_Corp" })] }),
        expect: /^neurallog:tenants\[0\]\.tenantId "Acme_Corp" must match \^\[a-z0-9\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?\$$/,
    },
    {
        name: "a tenant id too long for namespace tenant-<id>",
        config: () => ({ ...base(), tenants: [tenant({ tenantId: "a".repeat(57) })] }),
        expect: /^neurallog:tenants\[0\]\.tenantId "a{57}" must be at most 56 characters/,
    },
    {
        name: "duplicate tenant ids",
        config: () => ({ ...base(), tenants: [tenant(), tenant()] }),
        expect: /^neurallog:tenants\[1\]\.tenantId "new-co" duplicates neurallog:tenants\[0\]\.tenantId/,
    },
    {
        name: "an unknown plan",
        config: () => ({ ...base(), tenants: [tenant({ planId: "gold" })] }),
        expect: /^neurallog:tenants\[0\]\.planId "gold" must be one of starter, professional, enterprise$/,
    },
    {
        name: "a malformed billing email",
        config: () => ({ ...base(), tenants: [tenant({ billingEmail: "billing-at-new-co" })] }),
        expect: /^neurallog:tenants\[0\]\.billingEmail "billing-at-new-co" must be an email address$/,
    },
    {
        name: "a quantity that is not a Kubernetes quantity",
        config: () => ({ ...base(), tenants: [tenant({ redis: { storage: "5 gigs" } })] }),
        expect: /^neurallog:tenants\[0\]\.redis\.storage "5 gigs" must be a Kubernetes quantity/,
    },
    {
        name: "server and redis that exceed the plan's quota",
        config: () => ({
            ...base(),
            tenants: [tenant({ server: { replicas: 3, resources: { cpu: { request: "600m", limit: "1" } } } })],
        }),
        // 4 server pods (3 + surge) × 600m + redis 100m = 2500m > starter's 2.
        expect: /^neurallog:tenants\[0\] needs 2500m of requests\.cpu .* but plan "starter" allows 2$/,
    },
    {
        name: "an unknown storage class",
        config: () => ({ ...base(), dataStores: { redis: { enabled: true, storageClass: "gold-ssd" } } }),
        expect: /^neurallog:dataStores\.redis\.storageClass "gold-ssd" is not a known storage class/,
    },
    {
        name: "replicas below 1",
        config: () => ({ ...base(), server: { replicas: 0 } }),
        expect: /^neurallog:server\.replicas 0 must be at least 1$/,
    },
    {
        name: "a misspelt key",
        config: () => ({ ...base(), tenants: [tenant({ sever: { replicas: 2 } })] }),
        expect: /^neurallog:tenants\[0\]\.sever is not a known key \(did you mean "server"\?\)$/,
    },
    {
        name: "a Redis maxmemory at or above the container's memory limit",
        config: () => ({ ...base(), tenants: [tenant({ redis: { config: { maxmemory: "256mb" } } })] }),
        expect: /^neurallog:tenants\[0\]\.redis\.config\.maxmemory 256mb must stay below the container's memory limit of 256Mi, or the kernel kills Redis before it evicts; leave it unset for 192mb/,
    },
    {
        name: "a service named like the platform server's own Workload",
        config: () => ({ ...base(), services: [{ name: "server", image: "x:1", port: 8000 }] }),
        expect: /^neurallog:services\[0\]\.name "server" is already taken/,
    },
    {
        name: "a rotation key for a credential the stack does not generate",
        config: () => ({ ...base(), credentialRotation: { "tenant/acme-crop/redis": "2026-11" } }),
        expect: /^neurallog:credentialRotation\["tenant\/acme-crop\/redis"\] names no credential this stack generates \(did you mean "tenant\/acme-corp\/redis"\?/,
    },
    {
        name: "a tenant network rule that names no peer (it would admit every pod of every namespace)",
        config: () => ({ ...base(), tenants: [tenant({ networkPolicy: { ingressRules: [{ description: "monitoring", ports: [{ port: 3030 }] }] } })] }),
        expect: /^neurallog:tenants\[0\]\.networkPolicy\.ingressRules\[0\] must name its peer with "from" \(pod labels\) and\/or "namespaces"/,
    },
    {
        name: "a tenant network rule without ports (it would open every port)",
        config: () => ({ ...base(), tenants: [tenant({ networkPolicy: { egressRules: [{ to: { app: "api" } }] } })] }),
        expect: /^neurallog:tenants\[0\]\.networkPolicy\.egressRules\[0\]\.ports must list at least one port/,
    },
    {
        name: "an egress rule that names its peer with from",
        config: () => ({ ...base(), tenants: [tenant({ networkPolicy: { egressRules: [{ from: { app: "api" }, ports: [{ port: 80 }] }] } })] }),
        expect: /^neurallog:tenants\[0\]\.networkPolicy\.egressRules\[0\]\.from is not allowed in an egress rule; name the peer's pod labels with "to"$/,
    },
    {
        name: "web egress to the cloud metadata endpoint",
        config: () => ({ ...base(), network: { egressCidrs: ["169.254.169.254/32"] } }),
        expect: /^neurallog:network\.egressCidrs\[0\] "169\.254\.169\.254\/32" lies inside 169\.254\.0\.0\/16/,
    },
    {
        name: "web egress into the cluster's service range",
        config: () => ({ ...base(), network: { egressCidrs: ["10.96.8.0/24"] } }),
        expect: /^neurallog:network\.egressCidrs\[0\] "10\.96\.8\.0\/24" lies inside 10\.96\.0\.0\/12/,
    },
    {
        name: "an egress range with host bits set",
        config: () => ({ ...base(), network: { egressCidrs: ["203.0.113.7/24"] } }),
        expect: /^neurallog:network\.egressCidrs\[0\] "203\.0\.113\.7\/24" has host bits set; write the range as 203\.0\.113\.0\/24$/,
    },
    {
        name: "a stack that names no cluster",
        config: () => {
            const { cluster, ...rest } = base();
            assert.ok(cluster);
            return rest;
        },
        expect: /^neurallog:cluster is required: name the cluster this stack deploys to/,
    },
    {
        name: "a production image from a registry the stack does not allow",
        config: () => ({ ...stackConfig("production"), server: { ...stackConfig("production").server, image: "ghcr.io/someone/server:1.4.2" } }),
        expect: /^neurallog:server\.image "ghcr\.io\/someone\/server:1\.4\.2" comes from registry ghcr\.io, which is not in neurallog:imageRegistries \(docker\.io, quay\.io\)$/,
    },
    {
        name: "a production stack that allows no registry",
        config: () => ({ ...stackConfig("production"), imageRegistries: [] }),
        expect: /^neurallog:imageRegistries must list the registries production images may come from/,
    },
    {
        name: "a moving image tag in production",
        config: () => ({ ...stackConfig("production"), imageTag: "latest" }),
        expect: /^neurallog:imageTag "neurallog\/server:latest" must pin an image tag other than "latest" in production$/,
    },
];

describe("config validation", () => {
    for (const c of cases) {
        it(`rejects ${c.name}, registering nothing`, async () => {
            const problems = problemsOf(c.config());
            assert.ok(problems.some((p) => c.expect.test(p)), `no problem matched ${c.expect}:\n${problems.join("\n")}`);
            const run = await runProgram(c.config());
            assert.ok(run.error instanceof ConfigError, `program did not fail: ${run.error}`);
            assert.deepStrictEqual(registeredByProgram(run).map((r) => `${r.type} ${r.name}`), []);
        });
    }

    it("reports every problem of a config in one error", () => {
        const problems = problemsOf({
            ...base(),
            server: { replicas: 0 },
            tenants: [tenant({ tenantId: "Bad_Id" }), tenant({ planId: "gold" }), tenant({ tenantId: "ok", billingEmail: "nope" })],
        });
        for (const key of ["server.replicas", "tenants[0].tenantId", "tenants[1].planId", "tenants[2].billingEmail"]) {
            assert.ok(problems.some((p) => p.startsWith(`neurallog:${key} `)), `${key} missing from:\n${problems.join("\n")}`);
        }
    });

    it("requires the environment", () => {
        const { environment, ...rest } = base();
        assert.ok(environment);
        assert.ok(problemsOf(rest).includes("neurallog:environment is required (one of development, test, staging, production)"));
    });

    it("accepts both stacks as written", () => {
        for (const stack of ["test", "production"]) {
            const model = resolveConfig(stackConfig(stack));
            assert.strictEqual(model.tenants.length, stackConfig(stack).tenants.length);
        }
    });

    it("fills a tenant's defaults from the tenant operator guide's tables", () => {
        const model = resolveConfig({ ...base(), tenants: [tenant()] });
        const t = model.tenants[0];
        assert.strictEqual(t.namespace, "tenant-new-co");
        assert.deepStrictEqual(t.server.resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
        assert.deepStrictEqual(t.redis.resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "300m", memory: "256Mi" } });
        // The tenant's data volume is its Redis claim, sized by the plan (starter: 5Gi).
        assert.deepStrictEqual(t.redis.volumes.data, { size: PLAN_CATALOGUE.starter.dataStorage, key: "tenants[0].planId" });
        // Not the seed's 256mb, which equals the 256Mi limit: three quarters of the limit (see README).
        const maxmemory = parseRedisMemory(t.redis.config.maxmemory)!;
        const limit = parseQuantity(t.redis.resources.limits.memory);
        assert.ok(maxmemory >= 0.7 * limit && maxmemory <= 0.8 * limit, `${t.redis.config.maxmemory} against a ${t.redis.resources.limits.memory} limit`);
        assert.strictEqual(t.redis.config["maxmemory-policy"], "allkeys-lru");
        assert.deepStrictEqual(
            t.server.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]),
            [["NODE_ENV", "production"], ["PORT", "3030"], ["REDIS_URL", "redis://redis:6379"], ["LOG_LEVEL", "info"]],
        );
        assert.strictEqual(t.networkPolicy.enabled, true);
    });
});

describe("config validation across keys", () => {
    it("refuses a service whose name would clash with the server or a data store", () => {
        const config = stackConfig("test");
        for (const name of ["neurallog-server", "server", "redis"]) {
            const problems = problemsOf({ ...config, services: [{ name, image: "x:1", port: 8000 }] });
            assert.ok(problems.includes(`neurallog:services[0].name "${name}" is already taken by another service, the server or a data store`), problems.join("\n"));
        }
    });

    it("refuses a moving tag on any production image, naming the key that set it", () => {
        const config = stackConfig("production");
        const tenants = config.tenants.map((t: any, i: number) => (i === 0 ? { ...t, services: { authService: { enabled: true, image: "neurallog/auth:latest" } } } : t));
        const problems = problemsOf({ ...config, dataStores: { ...config.dataStores, postgres: { ...config.dataStores.postgres, exporterImage: "exporter" } }, tenants });
        assert.ok(problems.some((p) => p.startsWith('neurallog:dataStores.postgres.exporterImage "exporter" must pin')), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith('neurallog:tenants[0].services.authService.image "neurallog/auth:latest" must pin')), problems.join("\n"));
    });
});
