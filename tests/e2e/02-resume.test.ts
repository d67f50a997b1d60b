/**
 * Promise: an up the API server stops part-way (as a 1,000-tenant up was stopped by a
 * ResourceQuota conflict) keeps what it made, with the local file backend writing state
 * once, at the end; the next up makes the rest, and the state then agrees with the cluster.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { env } from "./hooks";
import { changes, Cluster, kubectl, kubectlJson, pulumiCli, waitFor, workloadReadiness } from "./support";

const id = "resumer";
const ns = `tenant-${id}`;
const POLICY = "e2e-refuse-resumer-redis";
const PROBE = "e2e-refusal-probe";

/** A ValidatingAdmissionPolicy that refuses the new tenant's Redis Service (and a probe Service, to know it acts). */
const refusal = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: ${POLICY} }
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["services"] }
  validations:
    - expression: "!((request.namespace == '${ns}' && object.metadata.name == 'redis') || object.metadata.name == '${PROBE}')"
      message: "e2e: the API server refuses this Service"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: ${POLICY} }
spec:
  policyName: ${POLICY}
  validationActions: [Deny]
`;

/** Whether the API server refuses a probe Service now (a server-side dry run). */
async function probeRefused(c: Cluster): Promise<boolean> {
    try {
        await kubectl(c, "create", "service", "clusterip", PROBE, "--tcp=80", "-n", "default", "--dry-run=server");
        return false;
    } catch (err: any) {
        if (/e2e: the API server refuses this Service/.test(String(err.stderr ?? err))) return true;
        throw err;
    }
}

describe("an up stopped part-way", () => {
    it("keeps what it made, and the next up makes the rest", async () => {
        const e = env("test");
        const c = e.cluster;
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "e2e-refusal-")), "refusal.yaml");
        fs.writeFileSync(file, refusal);
        await kubectl(c, "apply", "-f", file);
        try {
            // The API server loads a new policy in the background: wait until it refuses the probe.
            await waitFor("the admission policy to refuse a Service", async () => ((await probeRefused(c)) ? true : undefined));
            e.editConfig((cfg) => {
                cfg["neurallog:tenants"].push({ tenantId: id, planId: "starter", billingEmail: `ops@${id}.example`, displayName: "Resumer" });
            });
            const stopped = await pulumiCli(e, "up", "--yes", "--skip-preview");
            assert.notStrictEqual(stopped.code, 0, stopped.stdout.slice(-3000));
            assert.match(stopped.stdout + stopped.stderr, /e2e: the API server refuses this Service/);
            // Part of the slice was made before the refusal; the refused Service was not.
            await kubectlJson(c, "get", "namespace", ns);
            await kubectlJson(c, "get", "resourcequota", "tenant-quota", "-n", ns);
            const services = (await kubectlJson(c, "get", "services", "-n", ns)).items.map((s: any) => s.metadata.name);
            assert.ok(!services.includes("redis"), services.join(", "));
        } finally {
            await kubectl(c, "delete", "-f", file, "--ignore-not-found");
            fs.rmSync(path.dirname(file), { recursive: true, force: true });
        }
        // The policy is gone once a Service it refused is accepted again.
        await waitFor("the admission policy to be gone", async () => ((await probeRefused(c)) ? undefined : true));
        const resumed = await pulumiCli(e, "up", "--yes", "--skip-preview");
        assert.strictEqual(resumed.code, 0, resumed.stderr + resumed.stdout.slice(-3000));
        await kubectlJson(c, "get", "service", "redis", "-n", ns);
        const mine = (await workloadReadiness(c)).filter((w: any) => w.name.includes(`${ns}/`));
        assert.ok(mine.length === 2 && mine.every((w: any) => w.ready >= w.want), JSON.stringify(mine));
        // State and cluster agree: nothing left to do, nothing drifted.
        assert.deepStrictEqual(changes(await e.preview()), []);
        assert.deepStrictEqual(changes(await e.preview({ refresh: true })), []);
    });
});
