/**
 * Generated credentials without a plugin: the provider's own functions (what the
 * engine calls) and the program's use of them under mocks.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { CREDENTIAL_ALPHABETS, credentialProvider } from "../../components/credential";
import { CREDENTIAL_TYPE, ofType, promiseOf, Run, runProgram, stackConfig } from "./harness";

const inputs = (over: Record<string, unknown> = {}) => ({ length: 32, alphabet: "alphanumeric", rotation: "", ...over });

describe("GeneratedCredential provider", () => {
    it("generates a value of the requested length from the requested alphabet", async () => {
        for (const [alphabet, chars] of Object.entries(CREDENTIAL_ALPHABETS)) {
            for (const length of [16, 48]) {
                const { outs } = await credentialProvider.create(inputs({ length, alphabet }));
                assert.strictEqual(outs.value.length, length);
                assert.ok([...outs.value].every((c) => chars.includes(c)), `${outs.value} has characters outside ${alphabet}`);
            }
        }
    });

    it("never generates the same value twice", async () => {
        const values = new Set<string>();
        for (let i = 0; i < 200; i++) values.add((await credentialProvider.create(inputs())).outs.value);
        assert.strictEqual(values.size, 200);
    });

    it("keeps the value on refresh and on a non-replacing update", async () => {
        const { id, outs } = await credentialProvider.create(inputs());
        const read = await credentialProvider.read(id, { ...outs });
        assert.strictEqual(read.props.value, outs.value);
        const diff = await credentialProvider.diff(id, outs, inputs());
        assert.deepStrictEqual(diff, { changes: false, replaces: [], deleteBeforeReplace: false });
        const updated = await credentialProvider.update(id, outs, inputs());
        assert.strictEqual(updated.outs.value, outs.value);
    });

    for (const [key, value] of [["length", 40], ["alphabet", "hex"], ["rotation", "2026-11"]] as const) {
        it(`replaces (rotates) the credential when ${key} changes`, async () => {
            const { outs } = await credentialProvider.create(inputs());
            const diff = await credentialProvider.diff("id", outs, inputs({ [key]: value }));
            assert.deepStrictEqual(diff.replaces, [key]);
            assert.strictEqual(diff.changes, true);
        });
    }

    it("refuses bad inputs with the property and the rule", async () => {
        const { failures } = await credentialProvider.check({}, inputs({ length: 8, alphabet: "emoji", rotation: 3 }));
        assert.deepStrictEqual(
            failures.map((f) => f.property),
            ["length", "alphabet", "rotation"],
        );
        assert.match(failures[0].reason, /16 to 256/);
    });
});

describe("generated credentials in the program", () => {
    let first: Run;
    before(async () => {
        first = await runProgram(stackConfig("test"));
        assert.ifError(first.error);
    });

    const secretsOf = (run: Run) => run.outputs.secrets as Record<string, pulumi.Output<string>>;
    async function values(run: Run): Promise<Record<string, string>> {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(secretsOf(run))) out[k] = await promiseOf(v);
        return out;
    }

    it("uses no plugin but kubernetes: every credential is a dynamic resource", () => {
        const types = new Set(first.resources.map((r) => r.type.split(":")[0]));
        assert.deepStrictEqual([...types].sort(), ["kubernetes", "neurallog", "pulumi", "pulumi-nodejs"]);
        // jwt secret + platform redis + one redis per tenant.
        assert.strictEqual(ofType(first, CREDENTIAL_TYPE).length, 2 + stackConfig("test").tenants.length);
        for (const r of ofType(first, CREDENTIAL_TYPE)) {
            assert.strictEqual(typeof r.inputs.__provider, "string");
            // Not the default instance, which carries the whole stack config (credential.ts).
            assert.match(r.provider ?? "", /pulumi:providers:pulumi-nodejs::credentials::/);
        }
    });

    it("keeps every credential secret and puts it, unchanged, into its Kubernetes Secret", async () => {
        const v = await values(first);
        assert.ok(Object.keys(v).length >= 3);
        for (const [name, out] of Object.entries(secretsOf(first))) {
            assert.strictEqual(await pulumi.isSecret(out), true, `${name} is not a Pulumi secret`);
        }
        const secretTexts = ofType(first, "kubernetes:core/v1:Secret").map((s) => JSON.stringify(s.inputs.stringData));
        for (const [name, value] of Object.entries(v)) {
            assert.ok(value.length >= 32, `${name} is ${value.length} characters`);
            assert.ok(secretTexts.some((t) => t.includes(value)), `no Secret carries ${name}`);
        }
    });

    it("gives the same values on the next run (state), and a new one only where a rotation key changed", async () => {
        const before = await values(first);
        const again = await runProgram(stackConfig("test"));
        assert.deepStrictEqual(await values(again), before);
        const rotated = await runProgram({ ...stackConfig("test"), credentialRotation: { "tenant/globex/redis": "2026-11" } });
        assert.ifError(rotated.error);
        const after = await values(rotated);
        const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
        assert.deepStrictEqual(changed, ["tenant-globex-redisPassword"]);
    });

    it("is not exported as a stack output", async () => {
        const index = require("fs").readFileSync(require("path").join(__dirname, "../../index.ts"), "utf8") as string;
        assert.ok(!/export const secrets/.test(index));
    });
});
