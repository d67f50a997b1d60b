/**
 * The platform's policies (../policies, one per file, unit-tested by breaking one field
 * each) as a Pulumi policy pack, so the engine enforces them:
 *
 *   pulumi preview --policy-pack policy-pack --policy-pack-config policy-pack/config/<stack>.json
 *   pulumi up      --policy-pack policy-pack --policy-pack-config policy-pack/config/<stack>.json
 *
 * Every policy is mandatory: a violation fails the preview, and `up` before any step.
 * What a policy needs to know about the stack (its environment, the registries allowed in
 * production) comes from the pack's config file per stack, kept beside the pack rather
 * than in the stack config a pull request edits.
 */
import { PolicyPack, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { POLICIES, RenderedObject, StackFacts } from "../policies";

const CREDENTIAL_TYPE = "pulumi-nodejs:dynamic/neurallog:GeneratedCredential";

const configSchema = {
    properties: {
        environment: { type: "string" as const, enum: ["development", "test", "staging", "production"] },
        allowedRegistries: { type: "array" as const, items: { type: "string" as const } },
    },
    required: ["environment"],
};

/**
 * The SDK hands props wrapped in a proxy that throws on values unknown during a preview,
 * and that also breaks on functions reached through it (Array.prototype.map included).
 * The policies walk plain data, and treat the engine's unknown sentinels as values.
 */
const SPECIAL_PROXY_TARGET = "__getSpecialProxyTarget";
const plain = (props: Record<string, unknown>) => (props as Record<string, any>)[SPECIAL_PROXY_TARGET] ?? props;

function rendered(resources: PolicyResource[]): RenderedObject[] {
    return resources.map((r) => ({ type: r.type, name: r.name, inputs: plain(r.props), opts: { protect: r.opts.protect } }));
}

new PolicyPack("neurallog", {
    enforcementLevel: "mandatory",
    policies: POLICIES.map(
        (p): StackValidationPolicy => ({
            name: p.name,
            description: p.description,
            enforcementLevel: "mandatory",
            configSchema,
            validateStack: (args, reportViolation) => {
                const facts = args.getConfig<StackFacts>();
                const generatedCredentials = args.resources
                    .filter((r) => r.type === CREDENTIAL_TYPE)
                    .map((r) => plain(r.props).value)
                    .filter((v): v is string => typeof v === "string");
                const context = { environment: facts.environment, allowedRegistries: facts.allowedRegistries, generatedCredentials, fromState: true };
                for (const v of p.validate(rendered(args.resources), context)) reportViolation(v);
            },
        }),
    ),
});
