import { ofType, podTemplates, Policy, where } from "./policy";

export const podsNoServiceAccountToken: Policy = {
    name: "pods-no-service-account-token",
    description: "No pod or ServiceAccount mounts an API token automatically.",
    validate: (objects) => [
        ...podTemplates(objects).flatMap(({ owner, spec }) =>
            spec.automountServiceAccountToken === false ? [] : [`${where(owner)}: automountServiceAccountToken must be false`],
        ),
        ...ofType(objects, "core/v1:ServiceAccount").flatMap((sa) =>
            sa.inputs.automountServiceAccountToken === false ? [] : [`${where(sa)}: automountServiceAccountToken must be false`],
        ),
    ],
};
