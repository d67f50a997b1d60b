/**
 * The policy pack's config for one stack, derived from that stack's own config so the
 * facts a policy needs (the environment, the registries production may pull from) have
 * one source: the Pulumi.<stack>.yaml a pull request edits.
 *
 *   npm run -s policy-config -- --stack <name> [--cwd <pulumi project dir>]
 *
 * Writes .local/policy-pack/<stack>.json and prints its path, ready for
 *   pulumi preview --policy-pack policy-pack --policy-pack-config "$(npm run -s policy-config -- --stack test)"
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { POLICIES, StackFacts } from "../policies";
import { argValue } from "./preview-events";

export const POLICY_PACK_DIR = path.resolve(__dirname, "..", "policy-pack");


/** Pure: the facts from a parsed Pulumi.<stack>.yaml; config.ts validates the same keys. */
export function stackFacts(stackFile: { config?: Record<string, unknown> } | null): StackFacts {
    const config = stackFile?.config ?? {};
    const environment = config["neurallog:environment"];
    const registries = config["neurallog:imageRegistries"];
    return {
        environment: typeof environment === "string" ? environment : "development",
        ...(Array.isArray(registries) ? { allowedRegistries: registries.map(String) } : {}),
    };
}

/** Pure: `--policy-pack-config` content: every policy gets the same facts. */
export function policyPackConfig(facts: StackFacts): Record<string, StackFacts> {
    return Object.fromEntries(POLICIES.map((p) => [p.name, facts]));
}

/** Writes the pack config of a stack under <workDir>/.local/policy-pack and returns its path. */
export function writePolicyPackConfig(stackName: string, workDir: string): string {
    const stackFile = path.join(workDir, `Pulumi.${stackName}.yaml`);
    if (!fs.existsSync(stackFile)) throw new Error(`${stackFile} not found: no stack "${stackName}" in ${workDir}`);
    const facts = stackFacts(YAML.parse(fs.readFileSync(stackFile, "utf8")));
    const out = path.join(workDir, ".local", "policy-pack", `${stackName}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(policyPackConfig(facts), null, 2) + "\n");
    return out;
}

/** The Automation API options that attach the pack to a preview or up of a stack. */
export function policyPackOptions(stackName: string, workDir: string): { policyPacks: string[]; policyPackConfigs: string[] } {
    return { policyPacks: [POLICY_PACK_DIR], policyPackConfigs: [writePolicyPackConfig(stackName, workDir)] };
}

if (require.main === module) {
    const args = process.argv.slice(2);
    const stack = argValue(args, "--stack");
    if (!stack) {
        process.stderr.write("usage: npm run -s policy-config -- --stack <name> [--cwd <pulumi project dir>]\n");
        process.exit(2);
    }
    try {
        process.stdout.write(writePolicyPackConfig(stack, argValue(args, "--cwd") ?? process.cwd()) + "\n");
    } catch (e) {
        process.stderr.write(`policy-config: ${(e as Error).message}\n`);
        process.exit(2);
    }
}
