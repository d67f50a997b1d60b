/**
 * The registry of an image reference, as the container runtime resolves it: the first
 * path component when it looks like a host (has a dot or a port, or is localhost),
 * otherwise Docker Hub.
 */
export function registryOf(image: string): string {
    const first = image.split("/")[0];
    return image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "docker.io";
}
