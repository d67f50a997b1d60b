/**
 * The kubernetes SDK gives every object of a kind that once lived at another API version
 * aliases to that kind's older types: a Deployment gets `apps/v1beta1`, `apps/v1beta2` and
 * `extensions/v1beta1`, a Role and a RoleBinding `rbac.authorization.k8s.io/v1alpha1` and
 * `v1beta1`, a StatefulSet, NetworkPolicy, PodDisruptionBudget, HorizontalPodAutoscaler
 * and CronJob theirs. They let a stack that registered `extensions/v1beta1:Deployment`
 * move to `apps/v1` without replacing the object. This program has registered every kind
 * at its current version since its first commit, and the engine matches an alias only
 * against state under the older type, so in its stacks they never match (and an alias
 * that does not match is not written to state).
 *
 * Each costs the SDK, per object, an Output chain to build the alias's URN (about eight
 * Outputs and their promises) and a spec in the registration: a third of all the Outputs
 * a fleet's registration made (42,701 of them for 100 tenants, 28,139 without), and a
 * sixth of the time to register 1,000 tenants under mocks (README: Scale).
 * dropApiVersionAliases() removes exactly those aliases (an object with only a `type`,
 * naming the same kind in another `kubernetes:` API version) and keeps any other.
 * NEURALLOG_K8S_ALIASES=1 keeps them, for a stack that did hold an object at an older
 * version: with them dropped its preview would show that object replaced.
 */
import * as pulumi from "@pulumi/pulumi";

/** `kubernetes:<group/version>:<Kind>` → Kind; undefined for any other type. */
function kubernetesKind(type: string): string | undefined {
    const parts = type.split(":");
    return parts.length === 3 && parts[0] === "kubernetes" ? parts[2] : undefined;
}

/** Pure: whether `alias` is one the kubernetes SDK adds to an object of `type`. */
export function isApiVersionAlias(type: string, alias: unknown): boolean {
    if (typeof alias !== "object" || alias === null || pulumi.Output.isInstance(alias)) return false;
    const keys = Object.keys(alias);
    const aliasType = (alias as { type?: unknown }).type;
    if (keys.length !== 1 || typeof aliasType !== "string" || aliasType === type) return false;
    const kind = kubernetesKind(type);
    return kind !== undefined && kubernetesKind(aliasType) === kind;
}

/** Pure: `opts` without the API-version aliases of `type`; `opts` itself when it has none. */
export function withoutApiVersionAliases(type: string, opts: pulumi.ResourceOptions): pulumi.ResourceOptions {
    const kept = opts.aliases?.filter((a) => !isApiVersionAlias(type, a));
    if (!kept || kept.length === opts.aliases!.length) return opts;
    return { ...opts, aliases: kept.length > 0 ? kept : undefined };
}

/** Registers the stack transformation; a no-op under NEURALLOG_K8S_ALIASES=1. Returns whether it did. */
export function dropApiVersionAliases(): boolean {
    if (process.env.NEURALLOG_K8S_ALIASES === "1") return false;
    pulumi.runtime.registerStackTransformation((args) => {
        const opts = withoutApiVersionAliases(args.type, args.opts);
        return opts === args.opts ? undefined : { props: args.props, opts };
    });
    return true;
}
