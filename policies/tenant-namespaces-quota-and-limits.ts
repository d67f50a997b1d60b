import { ofType, Policy, where } from "./policy";

export const tenantNamespacesQuotaAndLimits: Policy = {
    name: "tenant-namespaces-quota-and-limits",
    description: "Every tenant namespace has a ResourceQuota and a LimitRange.",
    validate: (objects) =>
        ofType(objects, "core/v1:Namespace")
            .filter((ns) => ns.inputs.metadata?.labels?.["neurallog.io/tenant-id"])
            .flatMap((ns) => {
                const name = ns.inputs.metadata.name;
                const has = (type: string) => ofType(objects, type).some((o) => o.inputs.metadata?.namespace === name);
                return [
                    ...(has("core/v1:ResourceQuota") ? [] : [`${where(ns)}: needs a ResourceQuota`]),
                    ...(has("core/v1:LimitRange") ? [] : [`${where(ns)}: needs a LimitRange`]),
                ];
            }),
};
