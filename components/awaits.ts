/**
 * What `pulumi up` waits for, object by object (the kubernetes provider's awaiters).
 *
 * An up waits for every Deployment and StatefulSet to be ready: that is its promise. For
 * a Service with a selector the provider then waits until the Service's Endpoints have not
 * changed for ten seconds (a fixed sleep in its Service awaiter, pkg/await/service.go),
 * although the pods behind it are ready already. That was ten seconds at the end of every
 * up that creates or changes a Service: most of a small stack's first up, and half of
 * onboarding a tenant into a shard (README: Scale). Services skip that wait; their
 * endpoints follow from the ready pods the workloads' awaits wait for, through selectors
 * built from the pods' own labels (unit test: every Service selects a pod template of its
 * namespace; e2e 01-up: every Service has ready endpoints after the up).
 *
 * A Service is still deleted and awaited on delete as before: the annotation skips only
 * the create and update awaits for kinds outside the provider's legacy list.
 */
export const SKIP_AWAIT = "pulumi.com/skipAwait";

/** Annotations for a Service: no endpoint-settling wait (above). */
export const SERVICE_AWAIT_ANNOTATIONS: Readonly<Record<string, string>> = { [SKIP_AWAIT]: "true" };
