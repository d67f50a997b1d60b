import { containers, Policy } from "./policy";

export const imagesPinnedInProduction: Policy = {
    name: "images-pinned-in-production",
    description: "In production every image names a tag (or digest) other than `latest`.",
    validate: (objects, { environment }) =>
        environment !== "production"
            ? []
            : containers(objects).flatMap(({ at, container }) => {
                  const image: string = container.image ?? "";
                  const last = image.slice(image.lastIndexOf("/") + 1);
                  const pinned = image.includes("@sha256:") || (last.includes(":") && !last.endsWith(":latest"));
                  return pinned ? [] : [`${at}: image ${image} must pin a tag other than latest`];
              }),
};
