import { containers, Policy } from "./policy";

export const containersReadOnlyRootFilesystem: Policy = {
    name: "containers-read-only-root-filesystem",
    description: "Every container has a read-only root filesystem (and a writable /tmp volume).",
    validate: (objects) =>
        containers(objects).flatMap(({ at, container }) => [
            ...(container.securityContext?.readOnlyRootFilesystem === true ? [] : [`${at}: securityContext.readOnlyRootFilesystem must be true`]),
            ...((container.volumeMounts ?? []).some((m: any) => m.mountPath === "/tmp") ? [] : [`${at}: needs a writable /tmp volume`]),
        ]),
};
