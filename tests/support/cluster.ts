/**
 * Local clusters for the live suites: real etcd, API server, controller manager and
 * scheduler built by scripts/toolchain, with kwok playing the kubelet; kubectl helpers
 * and waits with deadlines.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, "..", "..");

/** Values of scripts/toolchain/common.sh, read from the script itself so both agree. */
function commonEnv(): Record<string, string> {
    const out = execFileSync(
        "bash",
        ["-c", 'source scripts/toolchain/common.sh && echo "$PULUMI_DIR|$PULUMI_HOME|$(toolchain_path)|$KUBE_DIR"'],
        { cwd: ROOT, encoding: "utf8" },
    ).trim();
    const [pulumiDir, pulumiHome, toolPath, kubeDir] = out.split("|");
    return { pulumiDir, pulumiHome, toolPath, kubeDir };
}
/**
 * The engine parallelism scripts/pulumi-env.sh gives the local CLI, read from the script
 * itself so the e2e suite, the bench and the workflows' test use the same number.
 */
function localParallelism(): string {
    const m = /PULUMI_PARALLEL="\$\{PULUMI_PARALLEL:-(\d+)\}"/.exec(fs.readFileSync(path.join(ROOT, "scripts/pulumi-env.sh"), "utf8"));
    if (!m) throw new Error("scripts/pulumi-env.sh no longer sets PULUMI_PARALLEL");
    return m[1];
}
export const common: Record<string, string> = { ...commonEnv(), parallel: localParallelism() };
/**
 * The Go collector's settings scripts/go-gc-env.sh gives the CLI and its plugins (GOGC,
 * GOMEMLIMIT), from the script itself: what pulumi-env.sh exports and the workflows set.
 */
export function goGcEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
    const out = execFileSync("bash", [path.join(ROOT, "scripts/go-gc-env.sh")], { encoding: "utf8", env });
    return Object.fromEntries(out.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

/** One local cluster per environment, as in real life: test and production never share one. */
export interface Cluster {
    name: string;
    stateDir: string;
    kubeconfig: string;
    env: Record<string, string>;
}

const PORTS: Record<string, number> = { test: 0, production: 100, "shard-a": 200, "shard-b": 300 };
/** Each suite its own port range, so a suite never stops or reuses another's cluster. */
const SUITE_PORTS: Record<string, number> = { live: 30000, e2e: 31000 };

/** A cluster named `name` with its state under `.local/<suite>/<name>`. */
export function cluster(suite: string, name: string): Cluster {
    const stateDir = path.join(ROOT, ".local", suite, name);
    const base = (SUITE_PORTS[suite] ?? 32000) + (PORTS[name] ?? 200);
    const env: Record<string, string> = {
        NEURALLOG_STATE_DIR: stateDir,
        NEURALLOG_ETCD_PORT: String(base + 1),
        NEURALLOG_ETCD_PEER_PORT: String(base + 2),
        NEURALLOG_APISERVER_PORT: String(base + 3),
        NEURALLOG_CONTROLLER_MANAGER_PORT: String(base + 4),
        NEURALLOG_SCHEDULER_PORT: String(base + 5),
    };
    return { name, stateDir, kubeconfig: path.join(stateDir, "cluster", "kubeconfig"), env };
}

function script(rel: string, args: string[], env: Record<string, string>) {
    execFileSync("bash", [path.join(ROOT, rel), ...args], { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } });
}

export const buildToolchain = () => script("scripts/toolchain/build.sh", [], {});
export const buildControlPlane = () => script("scripts/toolchain/build-control-plane.sh", [], {});
export const clusterUp = (c: Cluster) => script("scripts/cluster/up.sh", [], c.env);
export const clusterDown = (c: Cluster, wipe = true) => script("scripts/cluster/down.sh", wipe ? ["--wipe"] : [], c.env);

/**
 * Stops and wipes each cluster. Every cluster is tried; a failed teardown then fails the
 * suite, since it leaves processes or state behind.
 */
export function teardown(clusters: Cluster[]) {
    const failures: string[] = [];
    for (const c of clusters) {
        try {
            clusterDown(c, true);
        } catch (e) {
            failures.push(`${c.name}: ${e}`);
        }
    }
    if (failures.length) throw new Error(`teardown failed: ${failures.join("; ")}`);
}

/**
 * On SIGINT or SIGTERM (Ctrl-C, a CI timeout), stop the clusters this suite started
 * before exiting, so an interrupted run leaves no process behind.
 */
export function stopClustersOnSignal(clusters: Cluster[]) {
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
        process.once(signal, () => {
            console.error(`\n${signal}: stopping the suite's clusters`);
            try {
                teardown(clusters);
            } finally {
                process.exit(code);
            }
        });
    }
}

export async function kubectl(c: Cluster, ...args: string[]): Promise<string> {
    const { stdout } = await run(path.join(common.kubeDir, "bin", "kubectl"), ["--kubeconfig", c.kubeconfig, ...args], {
        maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
}

export async function kubectlJson(c: Cluster, ...args: string[]): Promise<any> {
    return JSON.parse(await kubectl(c, ...args, "-o", "json"));
}

/** `kubectl create` of an object; returns kubectl's output, or its error text when `expectFailure`. */
export async function kubectlCreate(c: Cluster, obj: object, ...args: string[]): Promise<string> {
    const file = path.join(c.stateDir, `object-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(obj));
    try {
        return await kubectl(c, "create", "-f", file, ...args);
    } finally {
        fs.rmSync(file, { force: true });
    }
}

/** kubectl that is expected to fail; returns its error text. */
export async function kubectlFails(c: Cluster, ...args: string[]): Promise<string> {
    try {
        const out = await kubectl(c, ...args);
        throw new Error(`expected kubectl ${args.join(" ")} to fail, it printed: ${out}`);
    } catch (e: any) {
        if (e.message?.startsWith("expected kubectl")) throw e;
        return String(e.stderr ?? e.message);
    }
}

/** Thrown by a `waitFor` check: the cluster is not there yet, try again. */
export class NotYet extends Error {}

/** A kubectl run that failed (the API server may be busy): worth another try. */
const isKubectlFailure = (e: unknown) => typeof e === "object" && e !== null && "stderr" in e && "code" in e;

/**
 * Polls `check` until it returns a value (not undefined) or the deadline passes. Only
 * "not yet" is retried — undefined, NotYet, a failed kubectl — so a bug in a check
 * (a TypeError, an assertion) fails at once with its own message.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, seconds = 120): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    let last: unknown;
    for (;;) {
        try {
            const v = await check();
            if (v !== undefined) return v;
        } catch (e) {
            if (!(e instanceof NotYet) && !isKubectlFailure(e)) throw e;
            last = e;
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}${last ? `: ${last}` : ""}`);
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/** Every Deployment and StatefulSet of the platform, with its desired and ready replicas. */
export async function workloadReadiness(c: Cluster) {
    const list = await kubectlJson(c, "get", "deployments,statefulsets", "-A", "-l", "app.kubernetes.io/part-of=neurallog");
    return list.items.map((o: any) => ({
        name: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`,
        want: o.spec.replicas,
        ready: o.status.readyReplicas ?? 0,
    }));
}

