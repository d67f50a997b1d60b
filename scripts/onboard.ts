/**
 * Onboarding (or changing) one tenant without planning the whole fleet: a preview and an
 * up targeted at that tenant's slice.
 *
 *   npm run onboard -- --stack <name> --tenant <id> [--cwd <pulumi project dir>] [--preview-only]
 *
 * The slice is one component (`neurallog:tenant:TenantSlice::tenant-<id>`); targeting it
 * with --target-dependents takes in everything parented to it and nothing else. The
 * targeted preview runs first with the policy pack attached (scripts/policy-config.ts);
 * if it would change anything outside the tenant's slice, or the pack refuses it, nothing
 * is applied. Exit 0 when applied (or previewed), 2 on any refusal or error.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { EngineEvent, PreviewResult } from "@pulumi/pulumi/automation";
import { policyPackOptions } from "./policy-config";
import { argValue, changedObjects, runMain, runOnStack } from "./preview-events";
import { summarize } from "./summary";

/** The URN of a tenant's slice component. */
export const sliceUrn = (stack: string, project: string, tenantId: string) => `urn:pulumi:${stack}::${project}::neurallog:tenant:TenantSlice::tenant-${tenantId}`;

/**
 * Pure: the steps of a targeted preview that fall outside the tenant's slice. The slice
 * also holds an object in the system namespace (the server's policy for this tenant),
 * known by its place under the component and its name.
 */
export function outsideTheSlice(events: EngineEvent[], tenantId: string): string[] {
    return changedObjects(events).flatMap((m) => {
        const name = m.urn.split("::").pop()!;
        const underTheSlice =
            m.urn.endsWith(`::neurallog:tenant:TenantSlice::tenant-${tenantId}`) || (m.urn.includes("::neurallog:tenant:TenantSlice$") && name.startsWith(`tenant-${tenantId}-`));
        return m.group === `tenant ${tenantId}` || underTheSlice ? [] : [`${m.op} ${m.urn}`];
    });
}

async function cli(args: string[]): Promise<number> {
    const tenantId = argValue(args, "--tenant");
    return runOnStack("onboard", args, async (stack) => {
        if (!tenantId) throw new Error("--tenant <id> is required");
        const workDir = stack.workspace.workDir;
        const project = YAML.parse(fs.readFileSync(path.join(workDir, "Pulumi.yaml"), "utf8")).name as string;
        const stackFile = YAML.parse(fs.readFileSync(path.join(workDir, `Pulumi.${stack.name}.yaml`), "utf8"));
        const listed = (stackFile?.config?.["neurallog:tenants"] ?? []) as { tenantId: string }[];
        if (!listed.some((t) => t.tenantId === tenantId)) {
            throw new Error(`neurallog:tenants of stack ${stack.name} has no tenant "${tenantId}": add its entry first, then onboard it`);
        }
        const targeted = { target: [sliceUrn(stack.name, project, tenantId)], targetDependents: true, color: "never" as const, ...policyPackOptions(stack.name, workDir) };
        const events: EngineEvent[] = [];
        const preview: PreviewResult = await stack.preview({ ...targeted, diff: true, onEvent: (e) => events.push(e) });
        process.stdout.write(summarize(stack.name, events));
        const outside = outsideTheSlice(events, tenantId);
        if (outside.length > 0) throw new Error(`the targeted preview would change objects outside tenant ${tenantId}'s slice, so nothing was applied:\n  ${outside.join("\n  ")}`);
        if (args.includes("--preview-only")) return 0;
        const up = await stack.up({ ...targeted, onOutput: () => undefined });
        process.stdout.write(`\nApplied: ${JSON.stringify(up.summary.resourceChanges ?? {})} (previewed ${JSON.stringify(preview.changeSummary)})\n`);
        return 0;
    });
}

if (require.main === module) {
    runMain(cli);
}
