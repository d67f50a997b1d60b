import { ofType, Policy, tenantNamespaces, where } from "./policy";

/** The only cluster-wide role a tenant namespace may bind is the built-in read-only `view`. */
export const tenantRoleBindingsViewOnly: Policy = {
    name: "tenant-rolebindings-view-only",
    description: "A RoleBinding in a tenant namespace grants its own Role or the ClusterRole `view`, nothing else.",
    validate: (objects) => {
        const tenants = tenantNamespaces(objects);
        return ofType(objects, "rbac.authorization.k8s.io/v1:RoleBinding")
            .filter((b) => tenants.has(b.inputs.metadata?.namespace))
            .filter((b) => b.inputs.roleRef?.kind === "ClusterRole" && b.inputs.roleRef?.name !== "view")
            .map((b) => `${where(b)}: roleRef ClusterRole ${b.inputs.roleRef.name} is not allowed in a tenant namespace (only view, or the namespace's own Role)`);
    },
};
