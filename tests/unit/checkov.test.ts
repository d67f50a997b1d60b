/**
 * Peer linter: checkov's Kubernetes checks on the manifests both stacks render. Every
 * check is met, or skipped on the object itself with the reason the program wrote
 * (components/checkov-exceptions.ts); and each skip is load-bearing: remove it and
 * that check fails.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkovExceptions, tagOf } from "../../components/checkov-exceptions";
import { manifestsOf, manifestsYaml } from "../support/manifests";
import { ROOT, runStack } from "./harness";

interface CheckovResult {
    check_id: string;
    resource: string;
    check_result: { result: string; suppress_comment?: string };
}
interface CheckovReport {
    summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
    results: { failed_checks: CheckovResult[]; skipped_checks: CheckovResult[] };
}

function checkov(manifests: Record<string, any>[]): CheckovReport {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "neurallog-checkov-"));
    try {
        fs.writeFileSync(path.join(dir, "manifests.yaml"), manifestsYaml(manifests));
        let out: string;
        try {
            out = execFileSync("bash", [path.join(ROOT, "scripts/lint/checkov.sh"), dir], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] });
        } catch (e) {
            // Exit 1: failed checks, still a report on stdout.
            out = (e as { stdout?: string }).stdout ?? "";
            if (!out) throw e;
        }
        return JSON.parse(out);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const failed = (r: CheckovReport) => r.results.failed_checks.map((f) => `${f.check_id} ${f.resource}`);

describe("checkov on the rendered manifests", function () {
    // The first run installs the pinned checkov into the cache.
    this.timeout(10 * 60 * 1000);

    for (const stack of ["production", "test"]) {
        it(`${stack}: no failed check; every skip is on the object, with a reason`, async () => {
            const run = await runStack(stack);
            assert.ifError(run.error);
            const report = checkov(manifestsOf(run.resources));
            assert.strictEqual(report.summary.parsing_errors, 0);
            assert.ok(report.summary.passed > 500, `checkov ran its checks (${report.summary.passed} passed)`);
            assert.deepStrictEqual(failed(report), []);
            for (const s of report.results.skipped_checks) {
                assert.match(s.check_result.suppress_comment ?? "", /\w{4,}.*\w{4,}/, `${s.check_id} on ${s.resource} has a reason`);
            }
        });
    }

    it("fails the check again when its skip is taken off the object", async () => {
        const manifests = manifestsOf((await runStack("production")).resources);
        const broken = manifests.find((m) => m.kind === "StatefulSet" && m.metadata.annotations?.["checkov.io/skip-CKV_K8S_40"]);
        assert.ok(broken, "a store runs as its image's own uid, below 10000");
        delete broken.metadata.annotations["checkov.io/skip-CKV_K8S_40"];
        assert.deepStrictEqual(failed(checkov(manifests)), [`CKV_K8S_40 StatefulSet.${broken.metadata.namespace}.${broken.metadata.name}`]);
    });
});

describe("checkov exceptions", () => {
    const container = (image: string, env: { name: string; valueFrom?: any }[] = []) => ({ name: "app", image, env, resources: { requests: {}, limits: {} } as any });
    const digest = "sha256:" + "a".repeat(64);

    it("skips no check the pod meets: digest-pinned image, no secret in env, high uid", () => {
        assert.deepStrictEqual(checkovExceptions({ containers: [container(`redis:7.4.1-alpine@${digest}`)], runAsUser: 10001 }), {});
    });

    it("names the images, variables and uid each skip is for", () => {
        const skips = checkovExceptions({
            containers: [container("neurallog/server:latest", [{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis", key: "password" } } }])],
            runAsUser: 999,
        });
        assert.match(skips["checkov.io/skip-CKV_K8S_43"], /^CKV_K8S_43=.*neurallog\/server:latest/);
        assert.match(skips["checkov.io/skip-CKV_K8S_14"], /^CKV_K8S_14=.*neurallog\/server:latest/);
        assert.match(skips["checkov.io/skip-CKV_K8S_35"], /^CKV_K8S_35=.*app\.REDIS_PASSWORD/);
        assert.match(skips["checkov.io/skip-CKV_K8S_40"], /^CKV_K8S_40=uid 999 /);
        for (const v of Object.values(skips)) assert.strictEqual(v.split("=").length, 2, `checkov splits on "=": ${v}`);
    });

    it("reads tags past a registry port", () => {
        assert.strictEqual(tagOf("registry.local:5000/neurallog/server"), undefined);
        assert.strictEqual(tagOf("registry.local:5000/neurallog/server:1.4.2"), "1.4.2");
        assert.strictEqual(tagOf(`redis:7@${digest}`), "7");
    });
});
