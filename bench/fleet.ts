/**
 * Generated fleets for the benchmark: the test stack's config with N tenants, a realistic
 * mix of the three plans (six in ten starter, three professional, one enterprise).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const ROOT = path.resolve(__dirname, "..");
const PLANS = ["starter", "starter", "professional", "starter", "professional", "starter", "enterprise", "starter", "professional", "starter"];

export interface FleetTenant {
    tenantId: string;
    planId: string;
    billingEmail: string;
    displayName: string;
}

export function fleetTenant(i: number): FleetTenant {
    const id = `t${String(i).padStart(4, "0")}`;
    return { tenantId: id, planId: PLANS[i % PLANS.length], billingEmail: `billing@${id}.example`, displayName: `Tenant ${i}` };
}

/** The Pulumi.<stack>.yaml document of a fleet of `n` tenants (tenants 1..n). */
export function fleetStackFile(n: number, base = "test"): { config: Record<string, unknown> } {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${base}.yaml`), "utf8"));
    doc.config["neurallog:tenants"] = Array.from({ length: n }, (_, i) => fleetTenant(i + 1));
    return doc;
}

/** The same fleet as `neurallog:`-less config keys (the unit harness' form). */
export function fleetConfig(n: number): Record<string, unknown> {
    return Object.fromEntries(Object.entries(fleetStackFile(n).config).map(([k, v]) => [k.replace(/^neurallog:/, ""), v]));
}
