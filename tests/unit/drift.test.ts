/**
 * Appended list entries: the drift the provider's refresh cannot see, detected by the
 * program against live objects and turned into an update of exactly that object.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { appendedEntries, applyResolved, GUARDED_KINDS, LiveIndex, liveKey, reconcileGeneration, RECONCILE_ANNOTATION } from "../../components/drift";
import { promiseOf, Registered, runProgram, stackConfig } from "./harness";

const rule = (resource: string) => ({ apiGroups: [""], resources: [resource], verbs: ["get"] });

describe("appended list entries", () => {
    it("finds entries appended to a list, at any depth, and nothing else", () => {
        const desired = { rules: [rule("pods")], spec: { ingress: [{ from: [{ podSelector: {} }] }] } };
        assert.deepStrictEqual(appendedEntries(structuredClone(desired), desired), []);
        assert.deepStrictEqual(appendedEntries({ ...desired, rules: [rule("pods"), rule("secrets")] }, desired), [".rules[1..1]"]);
        const widened = { ...desired, spec: { ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: {} }] }] } };
        assert.deepStrictEqual(appendedEntries(widened, desired), [".spec.ingress[0].from[1..1]"]);
        // A changed or removed entry is the provider's to see; fields the server adds are not ours.
        assert.deepStrictEqual(appendedEntries({ rules: [rule("secrets")], status: [1, 2] }, { rules: [rule("pods")] }), []);
        assert.deepStrictEqual(appendedEntries({ rules: [] }, { rules: [rule("pods")] }), []);
    });

    it("bumps the live generation only when something was appended", () => {
        const desired = { rules: [rule("pods")] };
        const live = (gen: string | undefined, rules: unknown[]) => ({ metadata: { annotations: (gen ? { [RECONCILE_ANNOTATION]: gen } : {}) as Record<string, string> }, rules });
        assert.strictEqual(reconcileGeneration(undefined, desired), "0");
        assert.strictEqual(reconcileGeneration(live(undefined, [rule("pods")]), desired), "0");
        assert.strictEqual(reconcileGeneration(live("3", [rule("pods")]), desired), "3");
        assert.strictEqual(reconcileGeneration(live("3", [rule("pods"), rule("secrets")]), desired), "4");
        assert.strictEqual(reconcileGeneration(live("junk", [rule("pods"), rule("secrets")]), desired), "1");
    });
});

describe("a guarded object's props, resolved", () => {
    // An Output as the SDK makes one (its constructor is the SDK's own), standing on `resources`.
    const OutputClass = pulumi.Output as unknown as new (...a: unknown[]) => pulumi.Output<unknown>;
    const made = (value: unknown, { known = true, secret = false, resources = [] as object[] } = {}) =>
        new OutputClass(new Set(resources), Promise.resolve(value), Promise.resolve(known), Promise.resolve(secret), Promise.resolve(new Set(resources)));
    const details = async (input: pulumi.Input<string>) => {
        const o = pulumi.output(input) as any;
        const isKnown: boolean = await o.isKnown;
        return { isKnown, value: isKnown ? await o.promise() : undefined, isSecret: await o.isSecret, resources: [...(await o.allResources())] };
    };

    it("gives what pulumi.output(props).apply(f) gives: value, known, secret and resources", async () => {
        const namespace = { resource: "namespace" };
        const account = { resource: "account" };
        const cases: Record<string, unknown>[] = [
            { metadata: { name: "r", namespace: "plain" }, rules: [rule("pods")] },
            { metadata: { name: "r", namespace: made("tenant-a", { resources: [namespace] }) }, rules: [rule("pods")] },
            {
                metadata: { name: made("rb"), namespace: made("tenant-a", { resources: [namespace] }) },
                subjects: [{ kind: "ServiceAccount", name: made("sa", { resources: [account] }), namespace: "tenant-a" }],
            },
            { metadata: { name: "r", namespace: made("tenant-a", { secret: true, resources: [namespace] }) } },
            { metadata: { name: "r", namespace: made(undefined, { known: false, resources: [namespace] }) }, rules: [] },
            { metadata: { name: "r", namespace: made("tenant-a") }, subjects: [{ name: made(undefined, { known: false }) }] },
            { metadata: { name: "r", namespace: Promise.resolve("tenant-p") }, rules: [rule("pods")] },
        ];
        const f = (p: Record<string, any>) => JSON.stringify(p);
        for (const [i, props] of cases.entries()) {
            const sdk = await details(pulumi.output(props).apply(f));
            assert.deepStrictEqual(await details(applyResolved(props, f)), sdk, `case ${i}`);
        }
    });
});

describe("drift reconciliation in the program", () => {
    const generations = async (resources: Registered[]) => {
        const out: Record<string, string> = {};
        for (const r of resources.filter((x) => GUARDED_KINDS[x.type])) {
            out[`${r.type} ${r.name}`] = await promiseOf(pulumi.output(r.inputs.metadata.annotations[RECONCILE_ANNOTATION]));
        }
        return out;
    };

    it("annotates every guarded object, and bumps exactly the widened one", async () => {
        const config = stackConfig("test");
        const deployed = { tenants: Object.fromEntries(config.tenants.map((t: any) => [t.tenantId, { decommission: false }])) };
        const clean = await runProgram(config, "test", deployed);
        assert.ifError(clean.error);
        const before = await generations(clean.resources);
        assert.ok(Object.keys(before).length >= 4 * config.tenants.length, JSON.stringify(before));
        assert.ok(Object.values(before).every((g) => g === "0"));

        const role = clean.resources.find((r) => r.type.endsWith(":Role") && r.inputs.metadata.namespace === "tenant-globex")!;
        const live: LiveIndex = new Map([
            [liveKey("Role", "tenant-globex", role.inputs.metadata.name), { ...role.inputs, rules: [...role.inputs.rules, rule("secrets")] }],
        ]);
        const drifted = await runProgram(config, "test", deployed, live);
        assert.ifError(drifted.error);
        const after = await generations(drifted.resources);
        const bumped = Object.keys(after).filter((k) => after[k] !== before[k]);
        assert.deepStrictEqual(bumped, [`${role.type} ${role.name}`]);
        assert.strictEqual(after[bumped[0]], "1");
    });
});
