import { podTemplates, Policy, where } from "./policy";

export const podsSeccompRuntimeDefault: Policy = {
    name: "pods-seccomp-runtime-default",
    description: "Every pod runs with the RuntimeDefault seccomp profile.",
    validate: (objects) =>
        podTemplates(objects).flatMap(({ owner, spec }) =>
            spec.securityContext?.seccompProfile?.type === "RuntimeDefault" ? [] : [`${where(owner)}: securityContext.seccompProfile.type must be RuntimeDefault`],
        ),
};
