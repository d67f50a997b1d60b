import { ofType, Policy, where } from "./policy";

export const namespacesDefaultDeny: Policy = {
    name: "namespaces-default-deny",
    description: "Every namespace has a NetworkPolicy that selects all pods and denies all ingress and egress.",
    validate: (objects) => {
        const policies = ofType(objects, "networking.k8s.io/v1:NetworkPolicy");
        return ofType(objects, "core/v1:Namespace").flatMap((ns) => {
            const denies = policies.some((p) => {
                const spec = p.inputs.spec ?? {};
                return (
                    p.inputs.metadata?.namespace === ns.inputs.metadata?.name &&
                    Object.keys(spec.podSelector ?? { x: 1 }).length === 0 &&
                    ["Ingress", "Egress"].every((t) => (spec.policyTypes ?? []).includes(t)) &&
                    !spec.ingress?.length &&
                    !spec.egress?.length
                );
            });
            return denies ? [] : [`${where(ns)}: needs a default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)`];
        });
    },
};
