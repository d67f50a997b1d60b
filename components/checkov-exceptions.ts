/**
 * The checkov checks a workload knowingly does not meet, each with its reason, as the
 * `checkov.io/skip-<check>` annotations checkov reads from the object's own metadata.
 * Derived from the pod the program builds, so an exception disappears by itself when the
 * config stops needing it (an image given with its digest, say), and no check is skipped
 * on an object that would pass it.
 */
import { SecurePodArgs } from "./podspec";

/** Checkov's rule: a uid below this may collide with a host user. */
export const HIGH_UID = 10000;

/** `name:tag@sha256:<digest>` or `name@sha256:<digest>`. */
export const hasDigest = (image: string) => /@sha256:[0-9a-f]{64}$/.test(image);

/** The tag of an image reference, if any (a registry port is not a tag). */
export function tagOf(image: string): string | undefined {
    const last = image.split("@")[0].split("/").pop() ?? "";
    const i = last.indexOf(":");
    return i < 0 ? undefined : last.slice(i + 1);
}

// checkov splits the value on every "=": reasons must not contain one.
const annotation = (check: string, reason: string) => ({ [`checkov.io/skip-${check}`]: `${check}=${reason.replace(/=/g, ":")}` });

export function checkovExceptions(pod: Pick<SecurePodArgs, "containers" | "runAsUser">): Record<string, string> {
    const out: Record<string, string> = {};
    const byTag = pod.containers.filter((c) => !hasDigest(c.image)).map((c) => c.image);
    if (byTag.length > 0) {
        Object.assign(
            out,
            annotation("CKV_K8S_43", `pinned by tag (${byTag.join(", ")}); give the image as name:tag@sha256:<digest> in the stack config to pin it by digest`),
        );
    }
    const moving = pod.containers.filter((c) => !hasDigest(c.image) && (tagOf(c.image) ?? "latest") === "latest").map((c) => c.image);
    if (moving.length > 0) {
        Object.assign(
            out,
            annotation("CKV_K8S_14", `follows a moving tag (${moving.join(", ")}) outside production; production refuses it (policy images-pinned-in-production)`),
        );
    }
    const secretEnv = pod.containers.flatMap((c) => (c.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => `${c.name}.${e.name}`));
    if (secretEnv.length > 0) {
        Object.assign(
            out,
            annotation("CKV_K8S_35", `the images read these credentials only from their environment (${secretEnv.join(", ")}); each is a reference to a Secret, never a value in the spec`),
        );
    }
    const uid = pod.runAsUser ?? HIGH_UID + 1;
    if (uid < HIGH_UID) {
        Object.assign(out, annotation("CKV_K8S_40", `uid ${uid} is the image's own user, which owns its data directory; another uid would need a chown step run as root`));
    }
    return out;
}
