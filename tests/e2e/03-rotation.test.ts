/**
 * Promise: generated credentials stay the same on every up, never appear in plain text in
 * Pulumi state, and a new rotation key in stack config replaces exactly that credential
 * and the Secret that carries it; the pull-request summary shows each replacement once.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { env } from "./hooks";
import { changes, Cluster, kubectlJson, npmScript } from "./support";

const passwords = async (c: Cluster, namespaces: string[]) =>
    Object.fromEntries(
        await Promise.all(
            namespaces.map(async (ns) => {
                const s = await kubectlJson(c, "get", "secret/redis-auth", "-n", ns);
                return [ns, Buffer.from(s.data.password, "base64").toString()] as const;
            }),
        ),
    );

/** Every file of the stack's file backend, as text. */
function stateText(stateDir: string): string {
    const out: string[] = [];
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else out.push(fs.readFileSync(p, "latin1"));
        }
    };
    walk(stateDir);
    return out.join("\n");
}

describe("generated credentials", () => {
    const namespaces = () => [env("test").readConfig().config["neurallog:namespace"], "tenant-acme-corp", "tenant-globex"];

    it("rotates exactly the credential whose key changed, and its Secret; state never holds one in plain text", async () => {
        const e = env("test");
        const before = await passwords(e.cluster, namespaces());
        for (const p of Object.values(before)) assert.match(p, /^[A-Za-z0-9]{32}$/);

        e.editConfig((c) => {
            c["neurallog:credentialRotation"] = { "tenant/globex/redis": "2026-11" };
        });
        const planned = changes(await e.preview());
        const names = [...new Set(planned.map(([urn]) => urn.split("::").pop()!))].sort();
        assert.deepStrictEqual(names, ["tenant-globex-redis-password", "tenant-globex-redis-secret"], JSON.stringify(planned));
        assert.ok(planned.some(([urn, op]) => urn.endsWith("::tenant-globex-redis-password") && /replace/.test(op)), JSON.stringify(planned));
        // The pull-request comment: each replacement once, both in globex's row, flagged as a rotation.
        const summary = await npmScript(e, "summary");
        assert.strictEqual(summary.code, 0, summary.stderr);
        assert.match(summary.stdout, new RegExp(`\\*\\*${names.length} changes\\*\\* across 0 platform layers and 1 tenant\\.`), summary.stdout);
        assert.match(summary.stdout, new RegExp(`\\| tenant globex \\| 0 \\| 0 \\| ${names.length} \\| 0 \\|`), summary.stdout);
        const warnings = summary.stdout.split("\n").filter((l) => l.startsWith("> ⚠️"));
        assert.deepStrictEqual(warnings, [
            "> ⚠️ **credential replaced**: replace `GeneratedCredential tenant-globex-redis-password`",
            "> ⚠️ **credential replaced**: replace `Secret tenant-globex/redis-auth`",
        ]);

        await e.up();
        const after = await passwords(e.cluster, namespaces());
        assert.notStrictEqual(after["tenant-globex"], before["tenant-globex"], "not rotated");
        assert.match(after["tenant-globex"], /^[A-Za-z0-9]{32}$/);
        for (const ns of namespaces().filter((n) => n !== "tenant-globex")) assert.strictEqual(after[ns], before[ns], `${ns} rotated too`);
        await e.preview({ expectNoChanges: true });

        const state = stateText(path.join(e.cluster.stateDir, "pulumi-state"));
        assert.ok(state.includes("tenant-globex-redis-password"), "not the stack's state");
        for (const p of [...Object.values(before), ...Object.values(after)]) assert.ok(!state.includes(p), "a credential is in state in plain text");
    });
});
