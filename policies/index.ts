/** Every policy, in the order they are reported. */
import { containersNoPrivilege } from "./containers-no-privilege";
import { containersReadOnlyRootFilesystem } from "./containers-read-only-root-filesystem";
import { containersRequestsAndLimits } from "./containers-requests-and-limits";
import { containersRunAsNonRoot } from "./containers-run-as-non-root";
import { imagesFromAllowedRegistries } from "./images-from-allowed-registries";
import { imagesPinnedInProduction } from "./images-pinned-in-production";
import { namespacesDefaultDeny } from "./namespaces-default-deny";
import { namespacesPodSecurityRestricted } from "./namespaces-pod-security-restricted";
import { objectsRecommendedLabels } from "./objects-recommended-labels";
import { Policy, PolicyContext, RenderedObject } from "./policy";
import { podsNoHostAccess } from "./pods-no-host-access";
import { podsNoServiceAccountToken } from "./pods-no-service-account-token";
import { podsSeccompRuntimeDefault } from "./pods-seccomp-runtime-default";
import { secretsOnlyGeneratedCredentials } from "./secrets-only-generated-credentials";
import { tenantNamespacesQuotaAndLimits } from "./tenant-namespaces-quota-and-limits";
import { tenantRoleBindingsViewOnly } from "./tenant-rolebindings-view-only";
import { tenantServicesNotExposed } from "./tenant-services-not-exposed";

export * from "./policy";

export const POLICIES: Policy[] = [
    containersRunAsNonRoot,
    containersReadOnlyRootFilesystem,
    containersNoPrivilege,
    containersRequestsAndLimits,
    podsSeccompRuntimeDefault,
    podsNoServiceAccountToken,
    namespacesPodSecurityRestricted,
    namespacesDefaultDeny,
    tenantNamespacesQuotaAndLimits,
    objectsRecommendedLabels,
    secretsOnlyGeneratedCredentials,
    imagesPinnedInProduction,
    imagesFromAllowedRegistries,
    podsNoHostAccess,
    tenantServicesNotExposed,
    tenantRoleBindingsViewOnly,
];

/** Violations of every policy, prefixed with the policy's name. */
export function evaluate(objects: RenderedObject[], context: PolicyContext): string[] {
    return POLICIES.flatMap((p) => p.validate(objects, context).map((v) => `[${p.name}] ${v}`));
}
