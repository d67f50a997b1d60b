/**
 * Promise: the program sends the engine none of the kubernetes SDK's aliases to older API
 * versions (components/api-version-aliases.ts), and a stack deployed with them, as every
 * stack was before, previews no change without them.
 */
import * as assert from "assert";
import { env } from "./hooks";
import { pulumiCliWith } from "./support";

/** A URN's own type: the last of its qualified type's `$`-separated parts. */
const urnType = (urn: string) => urn.split("::")[2].split("$").pop()!;

/** The aliases the engine generated per Kubernetes object, from its `-v=7` log. */
function aliasesByUrn(log: string): Map<string, string> {
    const found = new Map<string, string>();
    for (const m of log.matchAll(/Generated aliases for (urn:pulumi:\S+): \[([^\]]*)\]/g)) {
        if (urnType(m[1]).startsWith("kubernetes:")) found.set(m[1], m[2]);
    }
    return found;
}

describe("API-version aliases", () => {
    it("reach the engine only under NEURALLOG_K8S_ALIASES=1, and an up with them leaves a stack its next preview finds unchanged", async () => {
        const e = env("test");
        // As the program was before: every Deployment, StatefulSet, Role and RoleBinding
        // carries the SDK's aliases. The up changes nothing and writes state.
        const kept = await pulumiCliWith({ NEURALLOG_K8S_ALIASES: "1" }, e, "up", "--yes", "--expect-no-changes", "--logtostderr", "-v=7");
        assert.strictEqual(kept.code, 0, kept.stderr.slice(-4000) + kept.stdout.slice(-4000));
        const sent = aliasesByUrn(kept.stderr);
        const deployments = [...sent].filter(([urn]) => urnType(urn) === "kubernetes:apps/v1:Deployment");
        assert.ok(deployments.length > 0, "no Deployment in the engine's log");
        for (const [urn, aliases] of deployments) assert.match(aliases, /kubernetes:extensions\/v1beta1:Deployment::/, urn);

        // Now the program's default: no object gets an alias, and nothing changes.
        const dropped = await pulumiCliWith({}, e, "preview", "--expect-no-changes", "--logtostderr", "-v=7");
        assert.strictEqual(dropped.code, 0, dropped.stderr.slice(-4000) + dropped.stdout.slice(-4000));
        const none = aliasesByUrn(dropped.stderr);
        assert.strictEqual(none.size, sent.size, "the two runs registered different objects");
        assert.deepStrictEqual([...none].filter(([, aliases]) => aliases.trim() !== ""), []);
    });
});
