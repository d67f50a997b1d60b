/**
 * Live e2e support: a local cluster per environment (real API server, etcd, controllers,
 * scheduler; kwok nodes), the locally built Pulumi CLI driven through the Automation API,
 * and helpers that wait on conditions with deadlines.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";

const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, "..", "..");
export const E2E_DIR = path.join(ROOT, ".local", "e2e");

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
const common = commonEnv();

/** One local cluster per environment, as in real life: test and production never share one. */
export interface Cluster {
    name: string;
    stateDir: string;
    kubeconfig: string;
    env: Record<string, string>;
}

const PORTS: Record<string, number> = { test: 0, production: 100 };

export function cluster(name: string): Cluster {
    const stateDir = path.join(E2E_DIR, name);
    const base = 30000 + (PORTS[name] ?? 200);
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
export const clusterUp = (c: Cluster) => script("scripts/cluster/up.sh", [], c.env);
export const clusterDown = (c: Cluster, wipe = true) => script("scripts/cluster/down.sh", wipe ? ["--wipe"] : [], c.env);

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
export async function kubectlCreate(c: Cluster, obj: object): Promise<string> {
    const file = path.join(c.stateDir, `object-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(obj));
    try {
        return await kubectl(c, "create", "-f", file);
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

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, seconds = 120): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    let last: unknown;
    for (;;) {
        try {
            const v = await check();
            if (v !== undefined) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}${last ? `: ${last}` : ""}`);
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/**
 * A Pulumi project directory for one environment under .local/e2e: the real program
 * (symlinked) with its own copy of the stack config, so tests can edit config like a
 * user does without touching the repository.
 */
export class Env {
    readonly workDir: string;
    readonly configFile: string;
    private stackPromise?: Promise<Stack>;
    readonly events: EngineEvent[] = [];

    constructor(readonly stackName: string, readonly cluster: Cluster) {
        this.workDir = path.join(cluster.stateDir, "project");
        this.configFile = path.join(this.workDir, `Pulumi.${stackName}.yaml`);
        fs.mkdirSync(this.workDir, { recursive: true });
        for (const f of ["index.ts", "components", "node_modules", "package.json", "tsconfig.json"]) {
            const target = path.join(this.workDir, f);
            if (!fs.existsSync(target)) fs.symlinkSync(path.join(ROOT, f), target);
        }
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(this.workDir, "Pulumi.yaml"));
        fs.copyFileSync(path.join(ROOT, `Pulumi.${stackName}.yaml`), this.configFile);
    }

    get env(): Record<string, string> {
        return {
            PATH: `${common.toolPath}:${process.env.PATH}`,
            KUBECONFIG: this.cluster.kubeconfig,
            PULUMI_HOME: common.pulumiHome,
            PULUMI_BACKEND_URL: `file://${path.join(this.cluster.stateDir, "pulumi-state")}`,
            PULUMI_CONFIG_PASSPHRASE: "neurallog-local-only",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        };
    }

    stack(): Promise<Stack> {
        if (!this.stackPromise) {
            this.stackPromise = (async () => {
                fs.mkdirSync(path.join(this.cluster.stateDir, "pulumi-state"), { recursive: true });
                const pulumiCommand = await PulumiCommand.get({ root: common.pulumiDir, skipVersionCheck: true });
                return LocalWorkspace.createOrSelectStack(
                    { stackName: this.stackName, workDir: this.workDir },
                    { pulumiCommand, envVars: this.env },
                );
            })();
        }
        return this.stackPromise;
    }

    /** The stack config as a user edits it (keys with the `neurallog:` prefix). */
    readConfig(): any {
        return YAML.parse(fs.readFileSync(this.configFile, "utf8"));
    }
    writeConfig(doc: any) {
        fs.writeFileSync(this.configFile, YAML.stringify(doc));
    }
    editConfig(edit: (config: Record<string, any>) => void) {
        const doc = this.readConfig();
        edit(doc.config);
        this.writeConfig(doc);
    }

    private log(prefix: string) {
        const file = path.join(this.cluster.stateDir, `pulumi-${this.stackName}.log`);
        return (out: string) => fs.appendFileSync(file, out.split("\n").map((l) => `${prefix} ${l}`).join("\n"));
    }

    async up(opts: { refresh?: boolean } = {}) {
        const s = await this.stack();
        return s.up({ refresh: opts.refresh, onOutput: this.log("up"), color: "never" });
    }

    /** Preview; returns the operation planned for each resource URN (same/create/update/delete/replace). */
    async preview(opts: { refresh?: boolean; expectNoChanges?: boolean } = {}): Promise<Map<string, string>> {
        const s = await this.stack();
        const ops = new Map<string, string>();
        await s.preview({
            refresh: opts.refresh,
            expectNoChanges: opts.expectNoChanges,
            onOutput: this.log("preview"),
            color: "never",
            onEvent: (e) => {
                const m = e.resourcePreEvent?.metadata;
                if (m) ops.set(m.urn, m.op);
            },
        });
        return ops;
    }

    async destroy() {
        const s = await this.stack();
        return s.destroy({ onOutput: this.log("destroy"), color: "never" });
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

/** URNs whose planned operation is not `same` (or a read). */
export function changes(ops: Map<string, string>): [string, string][] {
    return [...ops].filter(([, op]) => !["same", "read", "refresh"].includes(op));
}
