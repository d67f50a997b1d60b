/**
 * The benchmark (not a test): what registering, previewing, deploying, onboarding and
 * drift-checking cost for fleets of N tenants, beside kubectl on the same objects.
 *
 *   npm run bench -- [--tenants 1,10,100] [--cluster-tenants 1,10] [--runs 3] [--only A,K,B,C,D,E,Cdefault,Dshard] [--shard-size 20] [--qps N --burst M] [--parallel P]
 *                    [--merge] [--label <name>] [--alternate KEY=VALUE]
 *
 * --cluster-tenants limits the measurements on a cluster (all but A) to those fleet sizes
 * (default: every --tenants size up to 100).
 *
 * A         the program alone under the mock runtime: wall time, peak heap (bench/register.ts)
 * K         kubectl apply --server-side of the rendered objects; then until every workload
 *           is ready; then apply --server-side --dry-run=server of the same (no change)
 * C         first pulumi up, tuned (TUNED_ENV, --parallel); then, on the same stack:
 * B         no-change pulumi preview
 * D         onboarding one more tenant: preview + up; then another, targeted at its slice
 *           (what `npm run onboard` runs)
 * Dshard    (with --shard-size S) onboarding into one shard of an N-tenant fleet sharded
 *           into stacks of S tenants (neurallog:shard): that shard deployed, its N/S - 1
 *           siblings present as the stack files it reads
 * E         drift check: preview --refresh
 * Cdefault  first pulumi up with the engine's defaults
 *
 * Every Pulumi command is the CLI's, as a user types it (`pulumi up --yes --skip-preview`,
 * `pulumi preview [--refresh]`), not the Automation API's.
 *
 * Every cluster measurement starts from a fresh local cluster (ports 32201-32205). The
 * medians, minima and maxima go to bench/results.json; `npm run bench:report` draws
 * bench/results.md and bench/results.svg from it.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import * as YAML from "yaml";
import { buildToolchain, cluster, clusterDown, clusterUp, common, Env, goGcEnv, kubectl, stopClustersOnSignal, waitFor, workloadReadiness } from "../tests/e2e/support";
import { sliceUrn } from "../scripts/onboard";
import { CpuSampler } from "./cpu";
import { fleetStackFile, fleetTenant } from "./fleet";

const ROOT = path.resolve(__dirname, "..");
const arg = (flag: string, fallback: string) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? process.argv[i + 1] : fallback;
};
const TENANTS = arg("--tenants", "1,10").split(",").map(Number);
const CLUSTER_TENANTS = new Set(arg("--cluster-tenants", TENANTS.filter((n) => n <= 100).join(",")).split(",").map(Number));
const RUNS = Number(arg("--runs", "3"));
/**
 * --merge: add these samples to bench/results.json instead of starting it anew. A
 * measurement this run makes at a fleet size replaces that measurement's earlier samples
 * there (they were made with older code or settings), and the command lists what it replaced.
 */
const MERGE = process.argv.includes("--merge");
/** --label: appended to every measurement's name, to tell this run's settings apart. */
const LABEL = process.argv.includes("--label") ? ` [${arg("--label", "")}]` : "";
/**
 * --alternate KEY=VALUE: B and E run twice on the same deployed stack, once with KEY=VALUE
 * in the CLI's environment (recorded as "B preview [KEY=VALUE]"), once without; which goes
 * first alternates from run to run. An A/B of a setting on the same objects, the same
 * cluster and the same minute, where separate runs would compare two machines' moods.
 */
const ALTERNATE = process.argv.includes("--alternate") ? arg("--alternate", "") : undefined;
if (ALTERNATE !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(ALTERNATE)) throw new Error(`--alternate takes KEY=VALUE, got "${ALTERNATE}"`);
const ONLY = new Set(arg("--only", "A,K,C,B,D,E,Cdefault").split(","));
/** --parallel: the engine's parallelism in the tuned runs, by default scripts/pulumi-env.sh's (the CLI's own is 4 per core). */
const TUNED_PARALLEL = Number(arg("--parallel", common.parallel));
const SHARD_SIZE = Number(arg("--shard-size", "20"));
/** Whether this command runs the Pulumi CLI against a cluster (so TUNED_PARALLEL applies). */
const PULUMI_ON_CLUSTER = ["C", "B", "D", "E", "Cdefault", "Dshard"].some((k) => ONLY.has(k));
/** --qps / --burst: the provider's client rate (neurallog:cluster.qps/burst) for the fleet's stack. */
const QPS = process.argv.includes("--qps") ? Number(arg("--qps", "")) : undefined;
const BURST = process.argv.includes("--burst") ? Number(arg("--burst", "")) : undefined;

type Samples = Record<string, number[]>;
const measuredHere = new Set<string>();
const RESULTS = path.join(ROOT, "bench", "results.json");
const previous = MERGE && fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, "utf8")) : undefined;
/**
 * `cpu`: CPU seconds by process during the last run of a measurement; `memory`: each
 * process's peak resident MiB in that run (bench/cpu.ts).
 */
const results: Record<
    number,
    { samples: Samples; resources?: number; objects?: number; cpu?: Record<string, Record<string, number>>; memory?: Record<string, Record<string, number>>; steal?: Record<string, number> }
> = previous?.results ?? {};

function progress(line: string) {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
/** "<N>: <measurement>" whose earlier samples this run dropped. */
const replaced: string[] = [];
function record(n: number, measurement: string, raw: number) {
    const key = measurement + LABEL;
    const value = Math.round(raw * 1000) / 1000;
    if (!measuredHere.has(`${n} ${key}`)) {
        measuredHere.add(`${n} ${key}`);
        if (results[n].samples[key]?.length) replaced.push(`${n}: ${key}`);
        results[n].samples[key] = [];
    }
    results[n].samples[key].push(value);
    progress(`N=${n} ${key}: ${value}`);
    // Kept at once: a later step that fails (a 500-tenant up the API server times out) loses nothing measured.
    save();
}
async function timed<T>(f: () => Promise<T> | T): Promise<[number, T]> {
    const t = Date.now();
    const v = await f();
    return [(Date.now() - t) / 1000, v];
}
/** timed(), with the CPU each process spent meanwhile, and its peak memory, kept beside the measurement. */
async function profiled<T>(n: number, measurement: string, f: () => Promise<T>): Promise<[number, T]> {
    const sampler = new CpuSampler();
    sampler.start();
    const out = await timed(f);
    (results[n].cpu ??= {})[measurement + LABEL] = sampler.stop();
    (results[n].memory ??= {})[measurement + LABEL] = sampler.peakMemoryMiB();
    (results[n].steal ??= {})[measurement + LABEL] = Math.round(sampler.steal() * 1000) / 1000;
    return out;
}
/** The Node.js arguments the language host gives the program (Pulumi.yaml runtime.options.nodeargs). */
const NODE_ARGS: string[] = String(YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).runtime?.options?.nodeargs ?? "")
    .split(/\s+/)
    .filter(Boolean);
/** Which transpiler ts-node runs the program with (tsconfig.json's `ts-node.swc`); it moved the fixed cost of every run. */
const TRANSPILER: string = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile).config?.["ts-node"]?.swc ? "swc" : "typescript";
const node = (script: string, ...args: string[]) =>
    execFileSync(process.execPath, [...NODE_ARGS, "-r", "ts-node/register/transpile-only", path.join(ROOT, "bench", script), ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });

const benchCluster = cluster("bench", "fleet");
stopClustersOnSignal([benchCluster]);

/**
 * Each fake node's size for an `n`-tenant fleet: a tenant asks for two pods, 0.2 CPU and
 * 256 MiB on the two tenant-workload nodes, so the default nodes (110 pods) hold about
 * 100 tenants. A real cluster would add nodes; here the five grow.
 */
function nodeSize(n: number): Record<string, string> {
    return {
        NEURALLOG_NODE_PODS: String(Math.max(110, 2 * n)),
        NEURALLOG_NODE_CPU: String(Math.max(32, Math.ceil(n / 4))),
        NEURALLOG_NODE_MEMORY: `${Math.max(128, Math.ceil(n / 2))}Gi`,
    };
}

/** A new cluster sized for `n` tenants, and no Pulumi state or project left from the last measurement. */
function freshCluster(n: number) {
    if (fs.existsSync(benchCluster.stateDir)) clusterDown(benchCluster, true);
    fs.rmSync(benchCluster.stateDir, { recursive: true, force: true });
    clusterUp({ ...benchCluster, env: { ...benchCluster.env, ...nodeSize(n) } });
}

async function allReady() {
    await waitFor("every workload ready", async () => ((await workloadReadiness(benchCluster)).every((w: any) => w.ready >= w.want) ? true : undefined), 1800);
}

async function kubectlBaseline(n: number) {
    const dir = path.join(os.tmpdir(), `neurallog-bench-${n}`);
    const rendered = JSON.parse(node("render.ts", String(n), dir));
    results[n].objects = rendered.objects;
    freshCluster(n);
    const apply = (...extra: string[]) => kubectl(benchCluster, "apply", "--server-side", "--force-conflicts", "--field-manager", "bench", ...extra);
    const [applySeconds] = await profiled(n, "K apply", async () => {
        await apply("-f", path.join(dir, "crds.yaml"));
        await kubectl(benchCluster, "wait", "--for=condition=Established", "crd", "--all", "--timeout=120s");
        await apply("-f", path.join(dir, "objects.yaml"));
    });
    record(n, "K apply", applySeconds);
    const [readySeconds] = await timed(allReady);
    record(n, "K apply+ready", applySeconds + readySeconds);
    const [dry] = await timed(() => apply("--dry-run=server", "-f", path.join(dir, "crds.yaml"), "-f", path.join(dir, "objects.yaml")));
    record(n, "K dry-run", dry);
    fs.rmSync(dir, { recursive: true, force: true });
}

function fleetEnv(n: number): Env {
    const e = new Env("bench", benchCluster, "test");
    const doc = fleetStackFile(n);
    doc.config["neurallog:cluster"] = {
        ...e.readConfig().config["neurallog:cluster"],
        ...(QPS !== undefined ? { qps: QPS } : {}),
        ...(BURST !== undefined ? { burst: BURST } : {}),
    };
    e.writeConfig(doc);
    return e;
}

/** Engine settings of the tuned runs (with --parallel); the default runs set none. */
const TUNED_ENV: Record<string, string> = { PULUMI_SKIP_CHECKPOINTS: "true", PULUMI_NODEJS_TRANSPILE_ONLY: "true", PULUMI_PARALLEL: String(TUNED_PARALLEL), ...goGcEnv() };

/** The last `max` bytes of `file` from offset `from` on. */
function tail(file: string, from: number, max: number): string {
    const start = Math.max(from, fs.statSync(file).size - max);
    const fd = fs.openSync(file, "r");
    try {
        const buf = Buffer.alloc(fs.fstatSync(fd).size - start);
        fs.readSync(fd, buf, 0, buf.length, start);
        return buf.toString("utf8");
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * A Pulumi command as a user types it: the CLI, in the stack's project directory, with
 * the tuned settings or with none. Not through the Automation API, which also has the
 * engine write every step's event, old and new state included, to a log file that it then
 * parses (114 MB for a no-change preview of 100 tenants): work a user's `pulumi preview`
 * does not do. Its output goes straight to a file (`pulumi-cli.log` in the cluster's state
 * directory), not through this process: a refreshing preview of 100 tenants prints enough
 * that buffering it here cost 10 s of CPU, taken from the measured processes. Resolves to
 * the end of what this command printed (its summary).
 */
function pulumi(e: Env, tuned: boolean, ...args: string[]): Promise<string> {
    return pulumiWith({}, e, tuned, ...args);
}
/** pulumi(), with `extra` added to the CLI's environment. */
function pulumiWith(extra: Record<string, string>, e: Env, tuned: boolean, ...args: string[]): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...e.env, ...(tuned ? TUNED_ENV : {}), ...extra };
    if (!tuned) for (const k of Object.keys(TUNED_ENV)) delete env[k];
    const flags = [...args, "--stack", e.stackName, "--non-interactive", "--color", "never", ...(tuned ? ["--parallel", String(TUNED_PARALLEL)] : [])];
    const log = path.join(e.cluster.stateDir, "pulumi-cli.log");
    fs.appendFileSync(log, `\n===== pulumi ${flags.join(" ")}\n`);
    const from = fs.statSync(log).size;
    const fd = fs.openSync(log, "a");
    const child = spawn(path.join(common.pulumiDir, "bin", "pulumi"), flags, { cwd: e.workDir, env, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    return new Promise((resolve, reject) => {
        child.on("error", reject);
        child.on("exit", (code, signal) => {
            const out = tail(log, from, 64 * 1024);
            if (code === 0) resolve(out);
            else reject(new Error(`pulumi ${args.join(" ")} failed (exit ${code ?? signal}; ${log}):\n${out.slice(-4000)}`));
        });
    });
}

/** The resources an up created, from the CLI's summary ("+ 2832 created"). */
function createdCount(upOutput: string): number {
    const m = /\+ (\d+) created/.exec(upOutput);
    if (!m) throw new Error(`no "created" count in the up's summary:\n${upOutput.slice(-2000)}`);
    return Number(m[1]);
}

/** The environments B and E run under in run `r`: the plain one alone, or both of --alternate's, in turns. */
function variants(r: number): { suffix: string; env: Record<string, string> }[] {
    if (ALTERNATE === undefined) return [{ suffix: "", env: {} }];
    const i = ALTERNATE.indexOf("=");
    const both = [
        { suffix: "", env: {} },
        { suffix: ` [${ALTERNATE}]`, env: { [ALTERNATE.slice(0, i)]: ALTERNATE.slice(i + 1) } },
    ];
    return r % 2 ? both : both.reverse();
}

async function pulumiFleet(n: number, tuned: boolean, r = 1) {
    freshCluster(n);
    const e = fleetEnv(n);
    // Creates the stack (untimed); every timed command below is the CLI's.
    await e.stack();
    const up = (...extra: string[]) => pulumi(e, tuned, "up", "--yes", "--skip-preview", ...extra);
    const preview = (...extra: string[]) => pulumi(e, tuned, "preview", ...extra);
    const [upSeconds, out] = await profiled(n, tuned ? "C up" : "C up (defaults)", () => up());
    results[n].resources = createdCount(out);
    record(n, tuned ? "C up" : "C up (defaults)", upSeconds);
    if (!tuned) return;
    // --expect-no-changes: a preview that finds anything to do fails the run, not just this number.
    if (ONLY.has("B"))
        for (const v of variants(r))
            record(n, "B preview" + v.suffix, (await profiled(n, "B preview" + v.suffix, () => pulumiWith(v.env, e, tuned, "preview", "--expect-no-changes")))[0]);
    if (ONLY.has("D")) {
        e.editConfig((c) => c["neurallog:tenants"].push(fleetTenant(n + 1)));
        const [p] = await timed(() => preview());
        const [u] = await timed(() => up());
        record(n, "D onboard", p + u);
    }
    if (ONLY.has("D")) {
        // What `npm run onboard` does: preview and up targeted at the new tenant's slice.
        const next = fleetTenant(n + 2);
        e.editConfig((c) => c["neurallog:tenants"].push(next));
        const target = ["--target", sliceUrn("bench", "neurallog", next.tenantId), "--target-dependents"];
        const [p] = await timed(() => preview(...target));
        const [u] = await timed(() => up(...target));
        record(n, "D onboard (targeted)", p + u);
    }
    if (ONLY.has("E"))
        for (const v of variants(r)) record(n, "E drift" + v.suffix, (await profiled(n, "E drift" + v.suffix, () => pulumiWith(v.env, e, tuned, "preview", "--refresh")))[0]);
}

/**
 * Onboarding into one shard of an `n`-tenant fleet cut into shards of SHARD_SIZE: the
 * shard's stack is deployed on the bench cluster (the others would be on clusters of
 * their own), and its siblings' stack files sit beside it, as the program reads them.
 */
async function shardedOnboarding(n: number) {
    freshCluster(Math.min(n, SHARD_SIZE));
    const e = fleetEnv(Math.min(n, SHARD_SIZE));
    e.editConfig((c) => (c["neurallog:shard"] = { fleet: "bench", name: "s1" }));
    for (let k = 1; k < Math.ceil(n / SHARD_SIZE); k++) {
        const sibling = fleetStackFile(0);
        sibling.config["neurallog:shard"] = { fleet: "bench", name: `s${k + 1}` };
        sibling.config["neurallog:tenants"] = Array.from({ length: Math.min(SHARD_SIZE, n - k * SHARD_SIZE) }, (_, i) => fleetTenant(k * SHARD_SIZE + i + 1));
        fs.writeFileSync(path.join(e.workDir, `Pulumi.shard-${k + 1}.yaml`), YAML.stringify(sibling));
    }
    await e.stack();
    await pulumi(e, true, "up", "--yes", "--skip-preview");
    e.editConfig((c) => c["neurallog:tenants"].push(fleetTenant(n + 1)));
    const [p] = await timed(() => pulumi(e, true, "preview"));
    const [u] = await timed(() => pulumi(e, true, "up", "--yes", "--skip-preview"));
    record(n, `D onboard (shard of ${SHARD_SIZE})`, p + u);
}

async function main() {
    const cold = PULUMI_ON_CLUSTER || ONLY.has("K");
    if (cold) buildToolchain();
    for (const n of TENANTS) {
        results[n] ??= { samples: {} };
        for (let r = 1; r <= RUNS; r++) {
            progress(`N=${n} run ${r}/${RUNS}`);
            if (ONLY.has("A")) {
                const a = JSON.parse(node("register.ts", String(n)));
                results[n].resources ??= a.resources;
                record(n, "A register", a.ms / 1000);
                record(n, "A peak heap MiB", a.peakHeapMiB);
            }
            if (!CLUSTER_TENANTS.has(n)) continue;
            if (ONLY.has("K")) await kubectlBaseline(n);
            if (["C", "B", "D", "E"].some((k) => ONLY.has(k))) await pulumiFleet(n, true, r);
            if (ONLY.has("Cdefault")) await pulumiFleet(n, false);
            if (ONLY.has("Dshard")) await shardedOnboarding(n);
        }
    }
    if (cold) clusterDown(benchCluster, true);
    progress("wrote bench/results.json; npm run bench:report draws the table and chart");
}

const STARTED = new Date();
/** The error that stopped this command, recorded with the samples it had kept (see record). */
let failure: string | undefined;
/** bench/results.json with this run's samples so far, and this command among those that produced it. */
function save() {
    const out = {
        started: STARTED.toISOString(),
        commands: [
            ...(previous?.commands ?? []),
            { command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(), started: STARTED.toISOString(), nodeArgs: NODE_ARGS, transpiler: TRANSPILER, ...(PULUMI_ON_CLUSTER ? { parallel: TUNED_PARALLEL } : {}), ...(replaced.length ? { replaced } : {}), ...(failure ? { failed: failure } : {}) },
        ],
        machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
        settings: { tuned: { ...TUNED_ENV, parallel: TUNED_PARALLEL }, nodeArgs: NODE_ARGS, toolPath: common.toolPath },
        results,
    };
    fs.writeFileSync(RESULTS, JSON.stringify(out, null, 2) + "\n");
}

main().catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    // What it measured before the error stays, marked: the table must not pass a half run for a whole one.
    if (measuredHere.size > 0) {
        failure = String(e.message ?? e).split("\n")[0].slice(0, 300);
        save();
    }
    try {
        clusterDown(benchCluster, true);
    } catch {
        /* the error above is the one to see */
    }
    process.exit(1);
});
