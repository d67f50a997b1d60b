import { Policy, podTemplates, where } from "./policy";

const HOST_FLAGS = ["hostNetwork", "hostPID", "hostIPC"] as const;

/** The node is not a tenant's, nor the platform's, to share. */
export const podsNoHostAccess: Policy = {
    name: "pods-no-host-access",
    description: "No pod uses hostNetwork, hostPID, hostIPC or a hostPath volume, anywhere.",
    validate: (objects) =>
        podTemplates(objects).flatMap(({ owner, spec }) => [
            ...HOST_FLAGS.filter((f) => spec[f] === true).map((f) => `${where(owner)}: ${f} must not be true`),
            ...(spec.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => `${where(owner)}: volume ${v.name} must not be a hostPath`),
        ]),
};
