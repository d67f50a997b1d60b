/**
 * promtool, the Prometheus project's own rule checker and rule unit-test runner, built
 * from the pinned Prometheus release (scripts/toolchain/build-promtool.sh; cached, so
 * only the first call takes minutes).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

/** Builds promtool if needed and returns its path. */
export function ensurePromtool(): string {
    execFileSync("bash", [path.join(ROOT, "scripts/toolchain/build-promtool.sh")], { stdio: ["ignore", "inherit", "inherit"] });
    // The script's own layout (common.sh), not a copy of it.
    const dir = execFileSync("bash", ["-c", 'source "$1" && printf %s "$PROMTOOL_DIR"', "bash", path.join(ROOT, "scripts/toolchain/common.sh")], {
        encoding: "utf8",
    });
    const bin = path.join(dir, "bin", "promtool");
    if (!fs.existsSync(bin)) throw new Error(`build-promtool.sh finished but ${bin} does not exist`);
    return bin;
}

export interface PromtoolResult {
    status: number | null;
    /** stdout and stderr together: promtool reports failures on either. */
    output: string;
}

export function runPromtool(bin: string, args: string[], cwd?: string): PromtoolResult {
    const r = spawnSync(bin, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw r.error;
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
