/**
 * The Grafana dashboards the program ships: the four the Aquaculture layout names and one
 * per plan, each a dashboard Grafana can import (unique uid within its 40 characters,
 * panels with unique ids inside the 24-column grid, a data source and a query each), and
 * every query valid PromQL by promtool's own parser.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { dashboards, MAX_UID_LENGTH } from "../../components/dashboards";
import { PLAN_IDS } from "../../components/plans";
import { ensurePromtool, runPromtool } from "../support/promtool";
import { ofType, runProgram, stackConfig } from "./harness";

/** Grafana's own limit on a ConfigMap-borne dashboard is the ConfigMap's: 1 MiB. */
const CONFIGMAP_LIMIT = 1024 * 1024;

describe("Grafana dashboards", function () {
    let promtool: string;
    let data: Record<string, string>;
    let boards: [key: string, body: any][];
    let dir: string;

    before(async function () {
        this.timeout(30 * 60 * 1000);
        promtool = ensurePromtool();
        const run = await runProgram({ ...stackConfig("production"), observability: { enabled: true } }, "production");
        assert.ifError(run.error);
        const maps = ofType(run, "kubernetes:core/v1:ConfigMap").filter((c) => c.inputs.metadata.labels?.grafana_dashboard === "1");
        assert.strictEqual(maps.length, 1, "one ConfigMap for the Grafana sidecar");
        data = maps[0].inputs.data;
        boards = Object.entries(data).map(([k, v]) => [k, JSON.parse(v)]);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "neurallog-dashboards-"));
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Every target's query as a recording rule, for promtool check rules. */
    function checkExpressions(exprs: string[]) {
        const file = path.join(dir, `exprs-${exprs.length}.yaml`);
        fs.writeFileSync(
            file,
            YAML.stringify({ groups: [{ name: "dashboard-queries", rules: exprs.map((expr, i) => ({ record: `neurallog_dashboard_query_${i}`, expr })) }] }, { lineWidth: 0 }),
        );
        return runPromtool(promtool, ["check", "rules", file]);
    }

    it("has the four dashboards the Aquaculture layout names and one per plan", () => {
        const titles = boards.map(([, b]) => b.title as string);
        for (const seed of ["Platform Overview", "Database Performance", "ML Model Performance", "Business Metrics"]) {
            assert.ok(titles.some((t) => t.includes(seed)), `no "${seed}" in ${titles.join(" | ")}`);
        }
        for (const plan of PLAN_IDS) assert.ok(titles.some((t) => t.includes(`${plan} plan`)), `no dashboard for the ${plan} plan`);
    });

    it("fits a ConfigMap, one valid JSON dashboard per key", () => {
        const size = Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
        assert.ok(size < CONFIGMAP_LIMIT, `${size} bytes`);
        for (const key of Object.keys(data)) assert.match(key, /^[-._a-zA-Z0-9]+\.json$/);
    });

    it("gives each dashboard a title, a unique uid Grafana accepts and a schema version", () => {
        const uids = boards.map(([, b]) => b.uid);
        assert.strictEqual(new Set(uids).size, uids.length, uids.join());
        for (const [key, b] of boards) {
            assert.ok(typeof b.title === "string" && b.title.length > 0, key);
            assert.match(b.uid, /^[a-zA-Z0-9_-]+$/, key);
            assert.ok(b.uid.length <= MAX_UID_LENGTH, `${key}: ${b.uid}`);
            assert.ok(Number.isInteger(b.schemaVersion) && b.schemaVersion >= 36, key);
        }
    });

    it("keeps uids within 40 characters for the longest namespace, and apart between namespaces", () => {
        const long = dashboards("n".repeat(63));
        const other = dashboards("neurallog-staging");
        for (const [key, b] of Object.entries(long)) {
            assert.ok(b.uid.length <= 40, `${key}: ${b.uid}`);
            assert.notStrictEqual(b.uid, other[key].uid, key);
        }
    });

    it("lays panels out inside the 24-column grid, with unique ids and no overlap", () => {
        for (const [key, b] of boards) {
            assert.ok(Array.isArray(b.panels) && b.panels.length > 0, key);
            const ids = b.panels.map((p: any) => p.id);
            assert.strictEqual(new Set(ids).size, ids.length, `${key}: panel ids ${ids}`);
            for (const p of b.panels) {
                const { x, y, w, h } = p.gridPos;
                assert.ok(Number.isInteger(p.id) && p.id > 0, `${key}: id ${p.id}`);
                assert.ok(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24, `${key} "${p.title}": ${JSON.stringify(p.gridPos)}`);
            }
            for (const [i, a] of b.panels.entries()) {
                for (const c of b.panels.slice(i + 1)) {
                    const [p, q] = [a.gridPos, c.gridPos];
                    const overlap = p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
                    assert.ok(!overlap, `${key}: "${a.title}" and "${c.title}" overlap`);
                }
            }
        }
    });

    it("gives every panel a data source the dashboard defines, and queries", () => {
        for (const [key, b] of boards) {
            const variables = (b.templating?.list ?? []).map((v: any) => v.name);
            for (const p of b.panels) {
                assert.ok(p.datasource?.uid, `${key} "${p.title}": no data source`);
                const refs = [p.datasource.uid, ...p.targets.map((t: any) => t.datasource?.uid)].filter((u: string) => u?.startsWith("$"));
                for (const ref of refs) assert.ok(variables.includes(ref.replace(/^\$\{?|\}$/g, "")), `${key}: ${ref} is not a variable of the dashboard`);
                assert.ok(Array.isArray(p.targets) && p.targets.length > 0, `${key} "${p.title}": no query`);
                const refIds = p.targets.map((t: any) => t.refId);
                assert.strictEqual(new Set(refIds).size, refIds.length, `${key} "${p.title}"`);
                for (const t of p.targets) assert.ok(typeof t.expr === "string" && t.expr.trim().length > 0, `${key} "${p.title}": empty query`);
            }
        }
    });

    it("has only queries promtool parses", () => {
        const exprs = boards.flatMap(([, b]) => b.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)));
        const r = checkExpressions(exprs);
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, new RegExp(`SUCCESS: ${exprs.length} rules found`));
    });

    it("would notice a query promtool cannot parse", () => {
        const exprs = boards.flatMap(([, b]) => b.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)));
        // A Grafana variable is not PromQL: exactly what a dashboard query must not carry.
        const r = checkExpressions([...exprs, exprs[0].replace("[5m]", "[$__rate_interval]")]);
        assert.notStrictEqual(r.status, 0, r.output);
    });
});
