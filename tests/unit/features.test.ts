/**
 * Opt-in features of a stack: observability, ingress, created storage classes, and the
 * wiring of credentials and network paths between services and data stores.
 */
import * as assert from "assert";
import { resolveConfig } from "../../components/config";
import { ofType, Run, runProgram, stackConfig } from "./harness";

describe("observability (opt-in)", () => {
    let run: Run;
    const config = stackConfig("production");
    before(async function () {
        this.timeout(120000);
        run = await runProgram({ ...config, observability: { enabled: true, selectorLabels: { release: "prometheus" } } }, "production");
        assert.ifError(run.error);
    });

    it("reads the prometheus-operator CRDs first and orders every custom resource after them", () => {
        const reads = ofType(run, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").filter((r) => r.opts?.id);
        assert.deepStrictEqual(reads.map((r) => r.opts?.id).sort(), ["prometheusrules.monitoring.coreos.com", "servicemonitors.monitoring.coreos.com"]);
        const monitoring = run.resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com/"));
        assert.ok(monitoring.length > 0);
        for (const r of monitoring) assert.ok((r.opts?.dependsOn as unknown[])?.length, `${r.name} does not wait for its CRD`);
    });

    it("scrapes every component that exposes metrics, each through exactly one Service", () => {
        const monitors = ofType(run, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
        const withMetrics = config.services.filter((s: any) => s.metricsPort).map((s: any) => s.name);
        // Neo4j serves metrics only in its Enterprise edition.
        const stores = ["redis", "postgres", "qdrant", "neo4j"].filter((k) => config.dataStores[k]?.enabled && (k !== "neo4j" || /enterprise/.test(config.dataStores.neo4j.image ?? "")));
        assert.deepStrictEqual(monitors.map((m) => m.inputs.metadata.name).sort(), ["neurallog-server", ...withMetrics, ...stores].sort());
        const services = ofType(run, "kubernetes:core/v1:Service").filter((s) => s.inputs.metadata.namespace === config.namespace);
        for (const m of monitors) {
            const name = m.inputs.metadata.name;
            assert.strictEqual(m.inputs.metadata.labels.release, "prometheus");
            const wanted = Object.entries(m.inputs.spec.selector.matchLabels);
            const selected = services.filter((s) => wanted.every(([k, v]) => s.inputs.metadata.labels[k] === v));
            // Two Services would scrape every pod twice, under two jobs.
            assert.deepStrictEqual(
                selected.map((s) => s.inputs.metadata.name),
                // A store through its peers Service: every member, ready or not, so a failing one reports down.
                [stores.includes(name) ? `${name}-peers` : name],
            );
            if (stores.includes(name)) assert.strictEqual(selected[0].inputs.spec.publishNotReadyAddresses, true);
            const port = m.inputs.spec.endpoints[0].port;
            assert.ok(selected[0].inputs.spec.ports.some((p: any) => p.name === port), `${name}: no port ${port}`);
        }
    });

    it("scrapes Neo4j only where its image serves metrics (the Enterprise edition)", async () => {
        const monitored = (r: Run) => ofType(r, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").some((m) => m.inputs.metadata.name === "neo4j");
        assert.ok(!/enterprise/.test(config.dataStores.neo4j.image));
        assert.strictEqual(monitored(run), false);
        const enterprise = structuredClone(config);
        enterprise.dataStores.neo4j.image = "neo4j:5.24.2-enterprise";
        const withMetrics = await runProgram({ ...enterprise, observability: { enabled: true } }, "production");
        assert.ifError(withMetrics.error);
        assert.strictEqual(monitored(withMetrics), true);
    });

    it("labels every target with the job and component the alerts select on", () => {
        for (const m of ofType(run, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")) {
            // job: the component's name, also for a store scraped through `<store>-peers`.
            assert.strictEqual(m.inputs.spec.jobLabel, "app.kubernetes.io/name");
            assert.deepStrictEqual(
                m.inputs.spec.endpoints[0].relabelings.find((r: any) => r.targetLabel === "component")?.sourceLabels,
                ["__meta_kubernetes_service_label_app_kubernetes_io_component"],
            );
        }
    });

    it("scrapes Qdrant with its API key, without which /metrics answers 401", () => {
        const m = ofType(run, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").find((x) => x.inputs.metadata.name === "qdrant")!;
        const auth = m.inputs.spec.endpoints[0].authorization;
        assert.strictEqual(auth.type, "Bearer");
        const secret = ofType(run, "kubernetes:core/v1:Secret").find((s) => s.inputs.metadata.namespace === config.namespace && s.inputs.metadata.name === auth.credentials.name);
        assert.ok(secret, `no Secret ${auth.credentials.name}`);
        const sts = ofType(run, "kubernetes:apps/v1:StatefulSet").find((s) => s.inputs.metadata.namespace === config.namespace && s.inputs.metadata.name === "qdrant")!;
        const apiKey = sts.inputs.spec.template.spec.containers[0].env.find((e: any) => e.name === "QDRANT__SERVICE__API_KEY");
        assert.deepStrictEqual(apiKey.valueFrom.secretKeyRef, { name: auth.credentials.name, key: auth.credentials.key });
    });

    it("alerts on at least the MLCF summary's eight conditions, each with severity and runbook", () => {
        const rules = ofType(run, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0].inputs.spec.groups.flatMap((g: any) => g.rules);
        assert.ok(rules.length >= 8);
        for (const r of rules) {
            assert.ok(["critical", "warning"].includes(r.labels.severity), r.alert);
            assert.match(r.annotations.runbook_url, /^https:\/\//, r.alert);
        }
    });

    it("ships Grafana dashboards for the sidecar", () => {
        const cm = ofType(run, "kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata.labels?.grafana_dashboard === "1");
        assert.ok(cm);
        const titles = Object.values(cm!.inputs.data).map((d: any) => JSON.parse(d).title);
        assert.ok(titles.some((t) => /overview/i.test(t)) && titles.some((t) => /tenant/i.test(t)), titles.join());
    });

    it("lets only the monitoring namespace reach the metrics ports, and every port scraped", () => {
        const np = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.inputs.metadata.name === "allow-metrics-scrape");
        assert.ok(np);
        assert.deepStrictEqual(np!.inputs.spec.ingress[0].from, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }]);
        const open = np!.inputs.spec.ingress[0].ports.map((p: any) => p.port);
        const inNs = (r: any) => r.inputs.metadata.namespace === config.namespace;
        const services = ofType(run, "kubernetes:core/v1:Service").filter(inNs);
        const pods = [...ofType(run, "kubernetes:apps/v1:Deployment"), ...ofType(run, "kubernetes:apps/v1:StatefulSet")].filter(inNs).map((w) => w.inputs.spec.template);
        for (const m of ofType(run, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")) {
            const wanted = Object.entries(m.inputs.spec.selector.matchLabels);
            const service = services.find((s) => wanted.every(([k, v]) => s.inputs.metadata.labels[k] === v))!;
            const servicePort = service.inputs.spec.ports.find((p: any) => p.name === m.inputs.spec.endpoints[0].port);
            // The policy admits the pod's port: the Service's target port, by name on the container.
            const pod = pods.find((t) => Object.entries(service.inputs.spec.selector).every(([k, v]) => t.metadata.labels[k] === v));
            assert.ok(pod, `${m.inputs.metadata.name}: no pod behind ${service.inputs.metadata.name}`);
            const containerPort = pod!.spec.containers.flatMap((c: any) => c.ports ?? []).find((p: any) => p.name === servicePort.targetPort)?.containerPort;
            assert.ok(containerPort, `${m.inputs.metadata.name}: no container port ${servicePort.targetPort}`);
            assert.ok(open.includes(containerPort), `${m.inputs.metadata.name} scrapes port ${containerPort}, which allow-metrics-scrape does not open`);
        }
    });
});

describe("ingress and storage classes (opt-in)", () => {
    it("exposes the server through a TLS Ingress with the cert-manager issuer", async () => {
        const run = await runProgram({ ...stackConfig("test"), ingress: { enabled: true, host: "logs.example.com" } });
        assert.ifError(run.error);
        const [ing] = ofType(run, "kubernetes:networking.k8s.io/v1:Ingress");
        assert.strictEqual(ing.inputs.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-prod");
        assert.deepStrictEqual(ing.inputs.spec.tls[0].hosts, ["logs.example.com"]);
        assert.strictEqual(ing.inputs.spec.rules[0].http.paths[0].backend.service.name, "neurallog-server");
    });

    it("creates the seeds' storage classes when asked, and only then", async () => {
        const without = await runProgram(stackConfig("test"));
        assert.ifError(without.error);
        assert.ok(without.resources.length > 50, "the run without storage classes registered almost nothing");
        assert.deepStrictEqual(ofType(without, "kubernetes:storage.k8s.io/v1:StorageClass"), []);
        const run = await runProgram({ ...stackConfig("test"), storageClasses: { create: true } });
        assert.ifError(run.error);
        const classes = Object.fromEntries(ofType(run, "kubernetes:storage.k8s.io/v1:StorageClass").map((c) => [c.inputs.metadata.name, c.inputs]));
        assert.deepStrictEqual(Object.keys(classes).sort(), ["fast-ssd", "premium-nvme", "standard"]);
        assert.deepStrictEqual(classes["fast-ssd"].parameters, { type: "gp3", iops: "3000", throughput: "125", encrypted: "true" });
        assert.strictEqual(classes["premium-nvme"].parameters.iops, "10000");
        assert.strictEqual(classes["premium-nvme"].reclaimPolicy, "Retain");
        for (const c of Object.values(classes)) assert.strictEqual((c as any).volumeBindingMode, "WaitForFirstConsumer");
    });
});

describe("services and data stores", () => {
    it("gives each service exactly the credentials and network paths of the stores it names", async () => {
        const config = stackConfig("production");
        const run = await runProgram(config, "production");
        assert.ifError(run.error);
        for (const svc of config.services) {
            const dep = ofType(run, "kubernetes:apps/v1:Deployment").find((d) => d.inputs.metadata.namespace === config.namespace && d.inputs.metadata.name === svc.name)!;
            const pod = dep.inputs.spec.template;
            const secrets = pod.spec.containers[0].env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.valueFrom.secretKeyRef.name).sort();
            assert.deepStrictEqual(secrets, svc.accessTo.map((s: string) => `${s}-auth`).sort(), svc.name);
            const access = Object.keys(pod.metadata.labels).filter((l) => l.startsWith("neurallog.io/access-")).sort();
            assert.deepStrictEqual(access, svc.accessTo.map((s: string) => `neurallog.io/access-${s}`).sort(), svc.name);
        }
        for (const kind of ["redis", "postgres", "qdrant", "neo4j"]) {
            const np = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.inputs.metadata.namespace === config.namespace && p.inputs.metadata.name === `${kind}-ingress`);
            assert.ok(np, `${kind} has no ingress policy`);
            assert.deepStrictEqual(np!.inputs.spec.ingress[0].from, [{ podSelector: { matchLabels: { [`neurallog.io/access-${kind}`]: "true" } } }]);
        }
    });

    it("refuses a service that names a store the stack does not run", () => {
        const config = stackConfig("test");
        assert.throws(
            () => resolveConfig({ ...config, services: [{ name: "api", image: "api:1", port: 8000, accessTo: ["qdrant"] }] }),
            /neurallog:services\[0\]\.accessTo names "qdrant" but neurallog:dataStores\.qdrant\.enabled is false/,
        );
    });
});

describe("credentials in pods", () => {
    let run: Run;
    before(async () => {
        run = await runProgram(stackConfig("production"), "production");
        assert.ifError(run.error);
    });

    it("never puts a password into a process's arguments (probes and commands read it from the environment)", () => {
        const stores = ofType(run, "kubernetes:apps/v1:StatefulSet").filter((s) => s.inputs.metadata.name === "redis");
        assert.ok(stores.length >= 2, "no Redis to check");
        for (const sts of stores) {
            for (const c of sts.inputs.spec.template.spec.containers) {
                const argv = JSON.stringify([c.command, c.args, c.readinessProbe?.exec, c.livenessProbe?.exec]);
                assert.doesNotMatch(argv, /-a\s|--pass|PASSWORD|requirepass/, `${sts.inputs.metadata.namespace}/${c.name}: ${argv}`);
            }
            const env = sts.inputs.spec.template.spec.containers[0].env;
            assert.ok(env.some((e: any) => e.name === "REDISCLI_AUTH" && e.valueFrom.secretKeyRef.key === "password"), JSON.stringify(env));
        }
    });

    it("hands the generated JWT signing key to the platform server, and only there", () => {
        const config = stackConfig("production");
        const secret = ofType(run, "kubernetes:core/v1:Secret").find((s) => s.inputs.metadata.namespace === config.namespace && s.inputs.metadata.name === "neurallog-secrets");
        assert.ok(secret, "no neurallog-secrets");
        const users = ofType(run, "kubernetes:apps/v1:Deployment").filter((d) =>
            d.inputs.spec.template.spec.containers.some((c: any) => (c.env ?? []).some((e: any) => e.valueFrom?.secretKeyRef?.name === "neurallog-secrets")),
        );
        assert.deepStrictEqual(users.map((d) => `${d.inputs.metadata.namespace}/${d.inputs.metadata.name}`), [`${config.namespace}/neurallog-server`]);
        const env = users[0].inputs.spec.template.spec.containers[0].env.find((e: any) => e.name === "JWT_SECRET");
        assert.deepStrictEqual(env.valueFrom.secretKeyRef, { name: "neurallog-secrets", key: "jwt-secret" });
        assert.ok(Object.keys(secret!.inputs.stringData.value ?? secret!.inputs.stringData).length > 0);
    });
});

