import { ofType, Policy, tenantNamespaces, where } from "./policy";

/** A tenant reaches the outside through the platform's ingress, never a Service of its own. */
export const tenantServicesNotExposed: Policy = {
    name: "tenant-services-not-exposed",
    description: "No Service of type LoadBalancer or NodePort in a tenant namespace.",
    validate: (objects) => {
        const tenants = tenantNamespaces(objects);
        return ofType(objects, "core/v1:Service")
            .filter((s) => tenants.has(s.inputs.metadata?.namespace) && ["LoadBalancer", "NodePort"].includes(s.inputs.spec?.type))
            .map((s) => `${where(s)}: type ${s.inputs.spec.type} exposes a tenant outside the cluster; use ClusterIP behind the platform ingress`);
    },
};
