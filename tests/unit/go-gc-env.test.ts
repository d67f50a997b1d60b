/**
 * scripts/go-gc-env.sh: the Go collector's settings the CLI and its plugins get locally
 * (pulumi-env.sh), in the workflows (the setup action) and in the e2e suite and the bench.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./harness";
import { goGcEnv } from "../support/cluster";

const withoutGc = (): NodeJS.ProcessEnv => {
    const env = { ...process.env };
    delete env.GOGC;
    delete env.GOMEMLIMIT;
    return env;
};

describe("scripts/go-gc-env.sh", () => {
    it("collects at three times the live heap, bounded by half the machine's memory", () => {
        const env = goGcEnv(withoutGc());
        assert.strictEqual(env.GOGC, "200");
        const halfMiB = Math.floor(Math.floor(os.totalmem() / 1024 / 2) / 1024);
        assert.strictEqual(env.GOMEMLIMIT, `${halfMiB}MiB`);
        assert.deepStrictEqual(Object.keys(env).sort(), ["GOGC", "GOMEMLIMIT"]);
    });

    it("leaves a user's own GOGC and GOMEMLIMIT alone", () => {
        assert.deepStrictEqual(goGcEnv({ ...withoutGc(), GOGC: "off", GOMEMLIMIT: "3GiB" }), { GOGC: "off", GOMEMLIMIT: "3GiB" });
        assert.strictEqual(goGcEnv({ ...withoutGc(), GOGC: "100" }).GOMEMLIMIT, goGcEnv(withoutGc()).GOMEMLIMIT);
    });

    it("is what scripts/pulumi-env.sh exports to the CLI", () => {
        const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "go-gc-env-"));
        let out: string;
        try {
            out = execFileSync("bash", ["-c", 'source scripts/pulumi-env.sh && printf "%s %s" "$GOGC" "$GOMEMLIMIT"'], {
                cwd: ROOT,
                env: { ...withoutGc(), NEURALLOG_STATE_DIR: stateDir },
                encoding: "utf8",
            });
        } finally {
            fs.rmSync(stateDir, { recursive: true, force: true });
        }
        const want = goGcEnv(withoutGc());
        assert.strictEqual(out, `${want.GOGC} ${want.GOMEMLIMIT}`);
    });
});
