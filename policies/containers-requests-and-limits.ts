import { containers, Policy } from "./policy";

export const containersRequestsAndLimits: Policy = {
    name: "containers-requests-and-limits",
    description: "Every container requests and limits both cpu and memory.",
    validate: (objects) =>
        containers(objects).flatMap(({ at, container }) =>
            ["requests", "limits"].flatMap((kind) =>
                ["cpu", "memory"].flatMap((res) => (container.resources?.[kind]?.[res] ? [] : [`${at}: resources.${kind}.${res} must be set`])),
            ),
        ),
};
