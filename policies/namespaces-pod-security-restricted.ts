import { ofType, Policy, where } from "./policy";

const LEVEL = "restricted";

export const namespacesPodSecurityRestricted: Policy = {
    name: "namespaces-pod-security-restricted",
    description: "Every namespace enforces, audits and warns at Pod Security level `restricted`.",
    validate: (objects) =>
        ofType(objects, "core/v1:Namespace").flatMap((ns) => {
            const labels = ns.inputs.metadata?.labels ?? {};
            return ["enforce", "audit", "warn"].flatMap((mode) =>
                labels[`pod-security.kubernetes.io/${mode}`] === LEVEL ? [] : [`${where(ns)}: label pod-security.kubernetes.io/${mode} must be ${LEVEL}`],
            );
        }),
};
