/**
 * The GitHub workflows reference only what exists: every npm script they run is in
 * package.json, every local action and workflow they use is in the repository, every
 * action from elsewhere is pinned to a full commit, the policy pack they attach is a
 * pack, the CLI they install is the one versions.env pins, and every stack is previewed
 * and watched for drift; production deploys only after test, in its own environment.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT } from "./harness";
import { common } from "../support/cluster";

const GITHUB = path.join(ROOT, ".github");
const read = (file: string) => ({ file, text: fs.readFileSync(file, "utf8"), doc: YAML.parse(fs.readFileSync(file, "utf8")) });
const workflows = fs.readdirSync(path.join(GITHUB, "workflows")).map((f) => read(path.join(GITHUB, "workflows", f)));
const actions = fs.readdirSync(path.join(GITHUB, "actions")).map((d) => read(path.join(GITHUB, "actions", d, "action.yml")));
const all = [...workflows, ...actions];
const packageScripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
const pinnedPulumi = /^PULUMI_VERSION=(.+)$/m.exec(fs.readFileSync(path.join(ROOT, "scripts/versions.env"), "utf8"))![1];
const stacks = fs.readdirSync(ROOT).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort();

/** Every step of a workflow's jobs or a composite action. */
function steps(doc: any): any[] {
    return [...Object.values(doc.jobs ?? {}).flatMap((j: any) => j.steps ?? []), ...(doc.runs?.steps ?? [])];
}
const uses = (doc: any): string[] => [...steps(doc).map((s) => s.uses), ...Object.values(doc.jobs ?? {}).map((j: any) => j.uses)].filter(Boolean);
const rel = (f: string) => path.relative(ROOT, f);

describe("GitHub workflows", () => {
    it("exist for pull requests, merges to main and a schedule", () => {
        const triggers = workflows.map((w) => Object.keys(w.doc.on ?? {})).flat();
        for (const t of ["pull_request", "push", "schedule", "workflow_call"]) assert.ok(triggers.includes(t), `a workflow runs on ${t}`);
    });

    it("pin every action from elsewhere to a full commit, with the tag in a comment", () => {
        for (const w of all) {
            for (const u of uses(w.doc).filter((x) => !x.startsWith("./"))) {
                assert.match(u, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${rel(w.file)}: ${u}`);
                assert.match(w.text, new RegExp(`${u.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} # v\\d+\\.\\d+\\.\\d+`), `${rel(w.file)}: ${u} names its tag`);
            }
        }
    });

    it("use local actions and workflows that exist", () => {
        for (const w of all) {
            for (const u of uses(w.doc).filter((x) => x.startsWith("./"))) {
                const target = path.join(ROOT, u);
                assert.ok(fs.existsSync(u.endsWith(".yml") ? target : path.join(target, "action.yml")), `${rel(w.file)}: ${u}`);
            }
        }
    });

    it("run only npm scripts that package.json defines", () => {
        let seen = 0;
        for (const w of all) {
            for (const s of steps(w.doc).filter((x) => typeof x.run === "string")) {
                for (const m of s.run.matchAll(/npm run (?:-s )?([\w:-]+)/g)) {
                    seen++;
                    assert.ok(m[1] in packageScripts, `${rel(w.file)}: npm run ${m[1]}`);
                }
            }
        }
        assert.ok(seen >= 3, "the workflows run the policy-config, summary and drift scripts");
    });

    it("attach the policy pack and install the pinned CLI in every Pulumi step", () => {
        const pulumiSteps = all.flatMap((w) => steps(w.doc).filter((s) => String(s.uses).startsWith("pulumi/actions@")).map((s) => ({ w, s })));
        assert.ok(pulumiSteps.length >= 3);
        for (const { w, s } of pulumiSteps) {
            assert.strictEqual(String(s.with["pulumi-version"]), pinnedPulumi, `${rel(w.file)}: pulumi-version`);
            if (["preview", "up"].includes(s.with.command)) {
                assert.ok(fs.existsSync(path.join(ROOT, s.with.policyPacks, "PulumiPolicy.yaml")), `${rel(w.file)}: policyPacks ${s.with.policyPacks}`);
                assert.match(s.with.policyPackConfigs, /policy-pack-config/, `${rel(w.file)}: the stack's pack config`);
            }
        }
    });

    it("run every Pulumi job with the parallelism the local scripts use", () => {
        const local = common.parallel;
        for (const w of workflows) {
            for (const [name, job] of Object.entries<any>(w.doc.jobs)) {
                if (!steps({ jobs: { [name]: job } }).some((s) => String(s.uses).startsWith("pulumi/actions@"))) continue;
                assert.strictEqual(String(job.env?.PULUMI_PARALLEL), local, `${rel(w.file)}: job ${name} PULUMI_PARALLEL`);
            }
        }
    });

    it("give every Pulumi job the Go collector's settings the local scripts use", () => {
        const setup = actions.find((a) => a.file.includes(`${path.sep}setup${path.sep}`))!;
        const setupSteps = steps(setup.doc);
        const gc = setupSteps.findIndex((s) => /bash scripts\/go-gc-env\.sh >> "\$GITHUB_ENV"/.test(String(s.run)));
        assert.ok(gc >= 0, "the setup action appends scripts/go-gc-env.sh to $GITHUB_ENV");
        for (const w of workflows) {
            for (const [name, job] of Object.entries<any>(w.doc.jobs)) {
                const js = steps({ jobs: { [name]: job } });
                const pulumi = js.findIndex((s) => String(s.uses).startsWith("pulumi/actions@"));
                if (pulumi < 0) continue;
                const setupAt = js.findIndex((s) => s.uses === "./.github/actions/setup");
                assert.ok(setupAt >= 0 && setupAt < pulumi, `${rel(w.file)}: job ${name} runs the setup action before Pulumi`);
            }
        }
    });

    it("preview every stack and check every stack for drift", () => {
        for (const name of ["preview.yml", "drift.yml"]) {
            const w = workflows.find((x) => x.file.endsWith(name))!;
            const matrix = Object.values(w.doc.jobs).map((j: any) => j.strategy?.matrix?.stack).find(Boolean);
            assert.deepStrictEqual([...matrix].sort(), stacks, `${name} covers every Pulumi.<stack>.yaml`);
        }
    });

    it("deploy production only after test, each in its own environment", () => {
        const deploy = workflows.find((x) => x.file.endsWith("deploy.yml"))!.doc;
        const up = workflows.find((x) => x.file.endsWith("up.yml"))!.doc;
        assert.deepStrictEqual([...Object.values(deploy.jobs).map((j: any) => j.with.stack)].sort(), stacks);
        const production = Object.values(deploy.jobs).find((j: any) => j.with.stack === "production") as any;
        const test = Object.entries(deploy.jobs).find(([, j]: any) => j.with.stack === "test")![0];
        assert.deepStrictEqual([production.needs].flat(), [test]);
        assert.strictEqual(up.jobs.up.environment, "${{ inputs.stack }}");
        // The action's up skips the preview, where stack policies stop a plan: a gated preview comes first.
        const commands = up.jobs.up.steps.map((s: any) => s.with?.command).filter(Boolean);
        assert.deepStrictEqual(commands, ["preview", "up"]);
    });
});
