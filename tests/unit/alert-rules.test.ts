/**
 * The alert rules the program renders, checked by promtool (the Prometheus project's own
 * checker and unit-test runner, built from the pinned release): the rules file is valid,
 * each group's hand-written unit tests (tests/rules/<group>.test.yaml) pass against it,
 * every alert has a firing and a quiet case there, and the tests bite: an alert that
 * never fires, or a moved threshold, fails them.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { alertRules, AlertRule, RuleGroup } from "../../components/alert-rules";
import { ensurePromtool, runPromtool } from "../support/promtool";
import { ofType, ROOT, runProgram, stackConfig } from "./harness";

/** The namespace the committed tests are written for. */
const NS = "neurallog";
/** What each test file's rule_files names: the rendered rules, written next to a copy of it. */
const RULES_FILE = "neurallog-alerts.yaml";
const TESTS_DIR = path.join(ROOT, "tests/rules");
const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

interface AlertTest {
    eval_time: string;
    alertname: string;
    exp_alerts?: unknown[] | null;
}
interface TestGroup {
    name?: string;
    input_series?: { series: string; values: string }[];
    alert_rule_test?: AlertTest[];
}
interface TestFile {
    rule_files: string[];
    tests: TestGroup[];
}

const testFiles = fs.readdirSync(TESTS_DIR).filter((f) => f.endsWith(".test.yaml")).sort();
const readTests = (file: string): TestFile => YAML.parse(fs.readFileSync(path.join(TESTS_DIR, file), "utf8"));
const groupOfFile = (file: string) => file.replace(/\.test\.yaml$/, "");
/** Metric names an input series defines, e.g. `up` for `up{job="x"}`. */
const metricOf = (series: string) => /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(series)?.[1];
const mentions = (expr: string, metric: string) => new RegExp(`(^|[^a-zA-Z0-9_:])${metric}([^a-zA-Z0-9_:]|$)`).test(expr);

/** Writes rules and one test file into a fresh directory; returns the test file's path there. */
function stage(groups: RuleGroup[], testFile: string): { dir: string; test: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "neurallog-rules-"));
    fs.writeFileSync(path.join(dir, RULES_FILE), YAML.stringify({ groups }, { lineWidth: 0 }));
    fs.copyFileSync(path.join(TESTS_DIR, testFile), path.join(dir, testFile));
    return { dir, test: path.join(dir, testFile) };
}

function withExpr(groups: RuleGroup[], alert: string, mutate: (expr: string) => string): RuleGroup[] {
    let found = 0;
    const out = groups.map((g) => ({
        ...g,
        rules: g.rules.map((r) => {
            if (r.alert !== alert) return r;
            found++;
            return { ...r, expr: mutate(r.expr) };
        }),
    }));
    assert.strictEqual(found, 1, `${alert} is rendered once`);
    return out;
}

describe("alert rules under promtool", function () {
    let promtool: string;
    let groups: RuleGroup[];
    let alerts: AlertRule[];
    const dirs: string[] = [];

    before(async function () {
        // The first run builds promtool from the Go module (minutes); later runs reuse it.
        this.timeout(30 * 60 * 1000);
        promtool = ensurePromtool();
        // The production stack runs every kind of service and store, so it renders every rule.
        const run = await runProgram({ ...stackConfig("production"), namespace: NS, observability: { enabled: true } }, "production");
        assert.ifError(run.error);
        const rules = ofType(run, PROMETHEUS_RULE);
        assert.strictEqual(rules.length, 1);
        assert.strictEqual(rules[0].inputs.metadata.namespace, NS);
        groups = rules[0].inputs.spec.groups;
        alerts = groups.flatMap((g) => g.rules);
    });

    after(() => {
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    const staged = (g: RuleGroup[], file: string) => {
        const s = stage(g, file);
        dirs.push(s.dir);
        return s;
    };

    it("renders the seeds' groups, at least 25 alerts, each labelled and annotated", () => {
        assert.deepStrictEqual(
            groups.map((g) => g.name),
            ["neurallog.platform", "neurallog.critical", "neurallog.warning", "neurallog.business", "neurallog.tenants"],
        );
        // The MLCF summary's eight alerts, as their own group.
        assert.strictEqual(groups[0].rules.length, 8);
        assert.ok(alerts.length >= 25, `${alerts.length} alerts; the Aquaculture layout promises 25+`);
        assert.strictEqual(new Set(alerts.map((a) => a.alert)).size, alerts.length, "alert names are unique");
        const categories = ["availability", "errors", "latency", "saturation", "capacity", "database", "cache", "queue", "business"];
        for (const g of groups) {
            for (const a of g.rules) {
                assert.ok(["critical", "warning"].includes(a.labels.severity), `${a.alert}: severity ${a.labels.severity}`);
                assert.ok(categories.includes(a.labels.category), `${a.alert}: category ${a.labels.category}`);
                if (g.name === "neurallog.business") assert.deepStrictEqual(a.labels, { severity: "warning", category: "business" }, a.alert);
                assert.deepStrictEqual(Object.keys(a.annotations).sort(), ["description", "runbook_url", "summary"], a.alert);
                assert.ok(a.annotations.summary.length > 10 && a.annotations.description.length > 20, a.alert);
                assert.strictEqual(a.annotations.runbook_url, `https://runbooks.neurallog.io/alerts/${a.alert.toLowerCase()}`);
                assert.match(a.for, /^\d+[smh]$/, a.alert);
            }
        }
        assert.ok(groups[1].rules.every((a) => a.labels.severity === "critical"), "the critical group pages");
    });

    it("scopes every selector to the platform namespace or to tenant namespaces", () => {
        for (const a of alerts) {
            const selectors = a.expr.match(/\{[^}]*\}/g) ?? [];
            assert.ok(selectors.length > 0, a.alert);
            for (const s of selectors) {
                const scoped = s.includes(`namespace="${NS}"`) || (groups.find((g) => g.rules.includes(a))!.name === "neurallog.tenants" && s.includes('namespace=~"tenant-.*"'));
                assert.ok(scoped, `${a.alert}: ${s} is not scoped`);
            }
        }
    });

    it("promtool check rules accepts the rendered file", () => {
        const s = staged(groups, testFiles[0]);
        const r = runPromtool(promtool, ["check", "rules", path.join(s.dir, RULES_FILE)]);
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, new RegExp(`SUCCESS: ${alerts.length} rules found`));
    });

    it("has one test file per group, each reading the rendered rules", () => {
        assert.deepStrictEqual(testFiles.map(groupOfFile), groups.map((g) => g.name).sort());
        for (const f of testFiles) assert.deepStrictEqual(readTests(f).rule_files, [RULES_FILE], f);
    });

    for (const file of testFiles) {
        it(`promtool test rules passes ${file}`, function () {
            this.timeout(5 * 60 * 1000);
            const r = runPromtool(promtool, ["test", "rules", staged(groups, file).test]);
            assert.strictEqual(r.status, 0, r.output);
            assert.match(r.output, /SUCCESS/);
        });
    }

    it("tests every alert in its group's file: firing, and quiet with its metrics present", () => {
        const missing: string[] = [];
        for (const g of groups) {
            const file = `${g.name}.test.yaml`;
            const tests = readTests(file).tests;
            const known = new Set(g.rules.map((r) => r.alert));
            for (const t of tests) {
                for (const c of t.alert_rule_test ?? []) {
                    assert.ok(known.has(c.alertname), `${file}: ${c.alertname} is not an alert of ${g.name}`);
                    // Each test group is named after the one alert it tests (the bite tests run it alone).
                    assert.strictEqual(t.name, c.alertname, `${file}: test group ${t.name} checks ${c.alertname}`);
                }
            }
            for (const rule of g.rules) {
                const cases = tests.flatMap((t) => (t.alert_rule_test ?? []).filter((c) => c.alertname === rule.alert).map((c) => ({ t, c })));
                if (!cases.some(({ c }) => (c.exp_alerts ?? []).length > 0)) missing.push(`${rule.alert}: no firing case in ${file}`);
                const quiet = cases.filter(({ c }) => (c.exp_alerts ?? []).length === 0);
                if (quiet.length === 0) missing.push(`${rule.alert}: no quiet case in ${file}`);
                for (const { t, c } of quiet) {
                    const metrics = (t.input_series ?? []).map((s) => metricOf(s.series)).filter((m): m is string => !!m);
                    if (!metrics.some((m) => mentions(rule.expr, m))) missing.push(`${rule.alert}: quiet at ${c.eval_time} without any series it reads`);
                }
            }
        }
        assert.deepStrictEqual(missing, []);
    });

    it("fails an alert's tests when the alert never fires, for every alert", function () {
        this.timeout(10 * 60 * 1000);
        const passed: string[] = [];
        for (const g of groups) {
            for (const rule of g.rules) {
                const s = staged(withExpr(groups, rule.alert, () => "absent(vector(1))"), `${g.name}.test.yaml`);
                const r = runPromtool(promtool, ["test", "rules", "--run", `^${rule.alert}$`, s.test]);
                if (r.status === 0 || !r.output.includes(`alertname: ${rule.alert},`)) passed.push(rule.alert);
            }
        }
        assert.deepStrictEqual(passed, [], "these alerts' tests pass with an alert that never fires");
    });

    // Each threshold moved past the test data's near misses (stricter: a quiet case fires)
    // and past its firing values (looser: the firing case goes quiet).
    const thresholds: [alert: string, from: string, stricter: string, looser: string][] = [
        ["HighErrorRate", "> 0.05", "> 0.03", "> 0.2"],
        ["HighMemoryUsage", "> 0.9", "> 0.85", "> 0.99"],
        ["PostgresConnectionsExhausted", "> 0.9", "> 0.75", "> 0.99"],
        ["DataVolumeAlmostFull", "< 0.05", "< 0.2", "< 0.01"],
        ["RedisLowHitRatio", "< 0.8", "< 0.9", "< 0.5"],
        ["CeleryQueueBacklog", "> 100", "> 50", "> 200"],
        ["PredictionsStale", "> 1800", "> 1200", "> 4000"],
        ["LogIngestionRateDrop", "< 0.5 *", "< 0.7 *", "< 0.3 *"],
        ["TenantQuotaNearLimit", "> 0.9", "> 0.85", "> 0.99"],
    ];
    for (const [alert, from, stricter, looser] of thresholds) {
        it(`fails ${alert}'s tests when its threshold moves either way`, function () {
            this.timeout(5 * 60 * 1000);
            const group = groups.find((g) => g.rules.some((r) => r.alert === alert))!;
            for (const to of [stricter, looser]) {
                const mutated = withExpr(groups, alert, (expr) => {
                    assert.strictEqual(expr.split(from).length, 2, `${alert}'s expression has "${from}" once: ${expr}`);
                    return expr.replace(from, to);
                });
                const r = runPromtool(promtool, ["test", "rules", "--run", `^${alert}$`, staged(mutated, `${group.name}.test.yaml`).test]);
                assert.notStrictEqual(r.status, 0, `${alert} with "${to}" still passes its tests`);
                assert.ok(r.output.includes(`alertname: ${alert},`), r.output);
            }
        });
    }
});

describe("alert rules per stack", () => {
    const names = (groups: RuleGroup[]) => groups.flatMap((g) => g.rules.map((r) => r.alert)).sort();

    it("renders the whole catalogue for production, which runs every kind of service and store", async () => {
        const config = stackConfig("production");
        const run = await runProgram({ ...config, observability: { enabled: true } }, "production");
        assert.ifError(run.error);
        const rendered = ofType(run, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0].inputs.spec.groups;
        assert.deepStrictEqual(names(rendered), names(alertRules(config.namespace)));
    });

    it("leaves out what a stack does not run: the test stack has the server and Redis only", async () => {
        const config = stackConfig("test");
        assert.deepStrictEqual(config.services ?? [], []);
        const run = await runProgram({ ...config, observability: { enabled: true } });
        assert.ifError(run.error);
        const rendered = names(ofType(run, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0].inputs.spec.groups);
        for (const absent of ["APIServiceDown", "MLServiceDown", "WorkerServiceDown", "PostgresDown", "PostgresReplicationLag", "VectorDatabaseNodeDown", "GraphDatabaseNodeDown", "CeleryQueueBacklog", "PredictionsStale"]) {
            assert.ok(!rendered.includes(absent), `${absent} would fire forever in a stack without its component`);
        }
        for (const present of ["NeuralLogServerDown", "RedisDown", "RedisMemoryNearMax", "HighErrorRate", "LogIngestionStale", "TenantServerDown"]) {
            assert.ok(rendered.includes(present), present);
        }
    });
});
