/**
 * The kubectl baseline's input: the objects the program registers for an N-tenant fleet
 * (under the mock runtime), as manifests. CustomResourceDefinitions go to `crds.yaml`,
 * everything else, Namespaces first, to `objects.yaml` (kubectl resolves kinds before it
 * applies, so a Tenant cannot be in the same apply as its CRD).
 *
 *   node -r ts-node/register/transpile-only bench/render.ts <tenants> <dir>
 */
import * as fs from "fs";
import * as path from "path";
import { runProgram } from "../tests/unit/harness";
import { manifestsOf, manifestsYaml } from "../tests/support/manifests";
import { fleetConfig } from "./fleet";

async function main() {
    const [tenants, dir] = [Number(process.argv[2]), process.argv[3]];
    const run = await runProgram(fleetConfig(tenants), "bench");
    if (run.error) throw run.error;
    const manifests = manifestsOf(run.resources);
    const rank = (m: Record<string, any>) => (m.kind === "Namespace" ? 0 : 1);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "crds.yaml"), manifestsYaml(manifests.filter((m) => m.kind === "CustomResourceDefinition")));
    fs.writeFileSync(path.join(dir, "objects.yaml"), manifestsYaml(manifests.filter((m) => m.kind !== "CustomResourceDefinition").sort((a, b) => rank(a) - rank(b))));
    process.stdout.write(JSON.stringify({ tenants, objects: manifests.length }) + "\n");
}

main().catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
});
