import { containers, Policy } from "./policy";

export const containersRunAsNonRoot: Policy = {
    name: "containers-run-as-non-root",
    description: "Every container runs as a non-root, numeric user.",
    validate: (objects) =>
        containers(objects).flatMap(({ at, container, pod }) => {
            const nonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
            const user = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
            return [
                ...(nonRoot === true ? [] : [`${at}: securityContext.runAsNonRoot must be true`]),
                ...(typeof user === "number" && user > 0 ? [] : [`${at}: runAsUser must be a non-zero number`]),
            ];
        }),
};
