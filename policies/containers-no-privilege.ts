import { containers, Policy } from "./policy";

export const containersNoPrivilege: Policy = {
    name: "containers-no-privilege",
    description: "No container is privileged, may escalate privileges, or keeps any capability.",
    validate: (objects) =>
        containers(objects).flatMap(({ at, container }) => {
            const sc = container.securityContext ?? {};
            const drop: string[] = sc.capabilities?.drop ?? [];
            return [
                ...(sc.allowPrivilegeEscalation === false ? [] : [`${at}: securityContext.allowPrivilegeEscalation must be false`]),
                ...(sc.privileged ? [`${at}: securityContext.privileged must not be true`] : []),
                ...(drop.includes("ALL") ? [] : [`${at}: securityContext.capabilities.drop must include ALL`]),
                ...((sc.capabilities?.add ?? []).length ? [`${at}: securityContext.capabilities.add must be empty`] : []),
            ];
        }),
};
