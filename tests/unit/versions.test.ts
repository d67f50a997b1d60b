/**
 * The plugins the scripts build must be exactly the SDK versions npm installs: the engine
 * looks plugins up by the version the SDK asks for and may not download any.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./harness";

function versionsEnv(): Record<string, string> {
    const text = fs.readFileSync(path.join(ROOT, "scripts/versions.env"), "utf8");
    return Object.fromEntries(
        text
            .split("\n")
            .filter((l) => /^[A-Z_]+=/.test(l))
            .map((l) => l.split("=", 2) as [string, string]),
    );
}

function installed(pkg: string): string {
    return JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
}

describe("pinned versions", () => {
    const env = versionsEnv();
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    for (const [name, key] of [
        ["@pulumi/pulumi", "PULUMI_VERSION"],
        ["@pulumi/kubernetes", "PULUMI_KUBERNETES_VERSION"],
    ]) {
        it(`${name} in package.json, node_modules and scripts/versions.env agree`, () => {
            assert.ok(env[key], `${key} missing from scripts/versions.env`);
            assert.strictEqual(pkg.dependencies[name], env[key], `package.json pins ${name}@${pkg.dependencies[name]}`);
            assert.strictEqual(installed(name), env[key], `node_modules has ${name}@${installed(name)}`);
        });
    }

    it("keeps exactly one @pulumi/kubernetes in the tree (kubernetesx uses ours)", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
        const copies = Object.keys(lock.packages).filter((p) => p.endsWith("node_modules/@pulumi/kubernetes"));
        assert.deepStrictEqual(copies, ["node_modules/@pulumi/kubernetes"]);
    });
});
