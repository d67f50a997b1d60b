/**
 * e2e support: the locally built Pulumi CLI driven through the Automation API, against
 * one local cluster per environment (tests/support/cluster.ts).
 */
import * as assert from "assert";
import { execFile as execFileCb } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EngineEvent, LocalWorkspace, PolicyEvent, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { promisify } from "util";
import * as YAML from "yaml";
import { policyPackOptions } from "../../scripts/policy-config";
import { Cluster, common, goGcEnv, kubectlJson, ROOT } from "../support/cluster";

export * from "../support/cluster";

/** The Go collector's settings of scripts/go-gc-env.sh, as a user's pulumi-env.sh exports them. */
const GO_GC_ENV = goGcEnv();
const execFile = promisify(execFileCb);
export const E2E_DIR = path.join(ROOT, ".local", "e2e");

/**
 * A Pulumi project directory for one environment under .local/e2e: the real program
 * (symlinked) with its own copy of the stack config, so tests can edit config like a
 * user does without touching the repository.
 */
export class Env {
    readonly workDir: string;
    readonly configFile: string;
    /** TMPDIR of the CLI, its plugins and the program: what they leave there is a leak (`leftInTmp`). */
    readonly tmpDir: string;
    private stackPromise?: Promise<Stack>;
    readonly events: EngineEvent[] = [];

    /**
     * `configFrom`: the repository stack file to start from (default: the stack's own).
     * `workDir`: a project directory shared with other environments' stacks (the shards of
     * a fleet read each other's stack files); by default the cluster's own.
     */
    constructor(readonly stackName: string, readonly cluster: Cluster, configFrom = stackName, workDir = path.join(cluster.stateDir, "project")) {
        this.workDir = workDir;
        this.configFile = path.join(this.workDir, `Pulumi.${stackName}.yaml`);
        this.tmpDir = path.join(cluster.stateDir, `tmp-${stackName}`);
        fs.mkdirSync(this.workDir, { recursive: true });
        fs.mkdirSync(this.tmpDir, { recursive: true });
        for (const f of ["index.ts", "components", "node_modules", "package.json", "tsconfig.json"]) {
            const target = path.join(this.workDir, f);
            if (!fs.existsSync(target)) fs.symlinkSync(path.join(ROOT, f), target);
        }
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(this.workDir, "Pulumi.yaml"));
        fs.copyFileSync(path.join(ROOT, `Pulumi.${configFrom}.yaml`), this.configFile);
        // As a user pointing a stack at its cluster would: the local cluster of this environment.
        this.editConfig((config) => {
            config["neurallog:cluster"] = clusterIdentity(cluster);
        });
    }

    get env(): Record<string, string> {
        return {
            PATH: `${common.toolPath}:${process.env.PATH}`,
            KUBECONFIG: this.cluster.kubeconfig,
            PULUMI_HOME: common.pulumiHome,
            PULUMI_BACKEND_URL: `file://${path.join(this.cluster.stateDir, "pulumi-state")}`,
            PULUMI_CONFIG_PASSPHRASE: "neurallog-local-only",
            TMPDIR: this.tmpDir,
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
            // As scripts/pulumi-env.sh sets them: no checkpoint per step on the local file
            // backend, the engine's parallelism for steps that wait on the API server, and
            // the Go collector's settings.
            PULUMI_SKIP_CHECKPOINTS: "true",
            PULUMI_PARALLEL: common.parallel,
            ...GO_GC_ENV,
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

    /** The engine's output of one operation, appended raw (chunks do not end at line breaks). */
    private log(operation: string) {
        const file = path.join(this.cluster.stateDir, `pulumi-${this.stackName}.log`);
        fs.appendFileSync(file, `\n===== pulumi ${operation} (${new Date().toISOString()})\n`);
        return (out: string) => fs.appendFileSync(file, out);
    }

    /** `--policy-pack policy-pack` with this stack's pack config (scripts/policy-config.ts). */
    private pack(attach?: boolean) {
        return attach ? policyPackOptions(this.stackName, this.workDir) : {};
    }

    async up(opts: { refresh?: boolean; policyPack?: boolean } = {}) {
        const s = await this.stack();
        return s.up({ refresh: opts.refresh, onOutput: this.log("up"), color: "never", ...this.pack(opts.policyPack) });
    }

    /**
     * Preview; returns the operation planned for each resource URN (same/create/update/delete/replace).
     * `policyEvents` collects what an attached policy pack reported.
     */
    async preview(opts: { refresh?: boolean; expectNoChanges?: boolean; policyPack?: boolean; policyEvents?: PolicyEvent[] } = {}): Promise<Map<string, string>> {
        const s = await this.stack();
        const policyEventsBefore = opts.policyEvents?.length ?? 0;
        // The Automation API reads the engine's event log while it is written and now and
        // then drops an event it read half of ("Failed to parse engine event", pulumi#6768).
        // A preview changes nothing, so one whose events disagree with the engine's own
        // summary is run again.
        for (let attempt = 1; ; attempt++) {
            const ops = new Map<string, string>();
            opts.policyEvents?.splice(policyEventsBefore);
            const result = await s.preview({
                refresh: opts.refresh,
                expectNoChanges: opts.expectNoChanges,
                onOutput: this.log("preview"),
                color: "never",
                ...this.pack(opts.policyPack),
                onEvent: (e) => {
                    const m = e.resourcePreEvent?.metadata;
                    if (m) ops.set(m.urn, m.op);
                    if (e.policyEvent) opts.policyEvents?.push(e.policyEvent);
                },
            });
            const missing = eventsMissing(ops, result.changeSummary);
            if (!missing.length) return ops;
            if (attempt === 3) throw new Error(`preview events disagree with the engine's summary three times: ${missing.join(", ")}`);
        }
    }

    async destroy() {
        const s = await this.stack();
        return s.destroy({ onOutput: this.log("destroy"), color: "never" });
    }
}

/** Pure: the changing operations whose count in `ops` differs from the engine's summary. */
export function eventsMissing(ops: Map<string, string>, summary: Record<string, number | undefined>): string[] {
    const counted = new Map<string, number>();
    // A replacement is several events on one URN (create-replacement, replace, delete-replaced); the summary counts it once.
    for (const raw of ops.values()) {
        const op = /replace/.test(raw) ? "replace" : raw;
        counted.set(op, (counted.get(op) ?? 0) + 1);
    }
    return ["create", "update", "delete", "replace"]
        .filter((op) => (counted.get(op) ?? 0) !== (summary[op] ?? 0))
        .map((op) => `${op}: ${counted.get(op) ?? 0} events, ${summary[op] ?? 0} in the summary`);
}

/** The context and API server of a local cluster's kubeconfig, as `neurallog:cluster` names them. */
export function clusterIdentity(c: Cluster): { context: string; server: string } {
    const kc = YAML.parse(fs.readFileSync(c.kubeconfig, "utf8"));
    const context = kc["current-context"];
    const ctx = kc.contexts.find((x: any) => x.name === context);
    const server = kc.clusters.find((x: any) => x.name === ctx.context.cluster).cluster.server;
    return { context, server };
}

/** Every platform object of the cluster with its resourceVersion: equal snapshots mean nothing changed. */
export async function snapshot(c: Cluster): Promise<string[]> {
    const platform = await kubectlJson(c, "get", "all,configmaps,secrets,networkpolicies,resourcequotas,limitranges,roles,rolebindings,serviceaccounts,pvc,pdb,hpa", "-A", "-l", "app.kubernetes.io/part-of=neurallog");
    const scoped = await kubectlJson(c, "get", "namespaces,tenants,crd,clusterroles", "-l", "app.kubernetes.io/part-of=neurallog");
    return [...platform.items, ...scoped.items]
        .filter((o: any) => o.kind !== "Pod")
        .map((o: any) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name} ${o.metadata.resourceVersion}`)
        .sort();
}

/**
 * One of the project's npm scripts (drift, summary), as a user or a CI job runs it,
 * against this environment's stack; `--stack` defaults to the environment's.
 */
export async function npmScript(e: Env, script: string, ...args: string[]): Promise<Exited> {
    const stackArgs = args.includes("--stack") ? [] : ["--stack", e.stackName];
    // A temporary directory of the script's own: whatever the script (or the Automation API
    // under it, which logs every engine event to a file there) leaves behind is a leak that
    // grows with the stack, so it fails the test that ran the script.
    const tmp = fs.mkdtempSync(path.join(e.cluster.stateDir, `tmp-${script}-`));
    const run = await exited("npm", ["run", "--silent", script, "--", ...stackArgs, "--cwd", e.workDir, ...args], ROOT, e, { TMPDIR: tmp });
    const left = leftInTmp(tmp);
    fs.rmSync(tmp, { recursive: true, force: true });
    if (left.length > 0) throw new Error(`npm run ${script} left ${left.join(", ")} in its temporary directory`);
    return run;
}

/**
 * The Pulumi CLI itself on this environment's stack, as a user types it (the Automation
 * API's `up` passes --skip-preview, which changes what a policy pack can stop).
 */
export function pulumiCli(e: Env, ...args: string[]): Promise<Exited> {
    return pulumiCliWith({}, e, ...args);
}
/** pulumiCli(), with `extraEnv` added to the environment's variables. */
export function pulumiCliWith(extraEnv: Record<string, string>, e: Env, ...args: string[]): Promise<Exited> {
    return exited("pulumi", [...args, "--stack", e.stackName, "--non-interactive", "--color", "never"], e.workDir, e, extraEnv);
}

interface Exited {
    code: number;
    stdout: string;
    stderr: string;
}

/** A command with the environment's variables; its exit code, whatever it is. */
async function exited(command: string, args: string[], cwd: string, e: Env, extraEnv: Record<string, string> = {}): Promise<Exited> {
    try {
        const { stdout, stderr } = await execFile(command, args, { cwd, env: { ...process.env, ...e.env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 });
        return { code: 0, stdout, stderr };
    } catch (err: any) {
        if (typeof err.code !== "number") throw err;
        return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
}

/**
 * What is left in a temporary directory, but npm's own compile cache (`v8-compile-cache-<uid>`,
 * one directory it reuses on every run).
 */
export function leftInTmp(dir: string): string[] {
    return fs.readdirSync(dir).filter((f) => !/^v8-compile-cache-\d+$/.test(f));
}

/** URNs whose planned operation is not `same` (or a read). */
export function changes(ops: Map<string, string>): [string, string][] {
    return [...ops].filter(([, op]) => !["same", "read", "refresh"].includes(op));
}

/**
 * A change the kubernetes provider must take in place: the preview plans an update of the
 * provider `k8s` and nothing else, the up makes exactly that one update, `live()` reads the
 * same before and after (a replaced provider would replace every object), and a preview
 * afterwards finds nothing to do.
 */
export async function expectProviderUpdateAlone(e: Env, live: () => Promise<string[]>) {
    const before = await live();
    const planned = changes(await e.preview());
    assert.deepStrictEqual(
        planned.map(([urn, op]) => `${urn.split("::").slice(-2).join("::")} ${op}`),
        ["pulumi:providers:kubernetes::k8s update"],
        "only the provider, updated in place",
    );
    const result = await e.up();
    const changed = Object.entries(result.summary.resourceChanges ?? {}).filter(([op]) => !["same", "read"].includes(op));
    assert.deepStrictEqual(changed, [["update", 1]]);
    assert.deepStrictEqual(await live(), before, "a live object was touched");
    await e.preview({ expectNoChanges: true });
}
