import { registryOf } from "../components/images";
import { containers, Policy } from "./policy";

export const imagesFromAllowedRegistries: Policy = {
    name: "images-from-allowed-registries",
    description: "In production every image comes from a registry the stack allows (`neurallog:imageRegistries`).",
    validate: (objects, { environment, allowedRegistries }) => {
        if (environment !== "production") return [];
        const allowed = new Set(allowedRegistries ?? []);
        return containers(objects).flatMap(({ at, container }) => {
            const registry = registryOf(container.image ?? "");
            return allowed.has(registry) ? [] : [`${at}: image ${container.image} comes from registry ${registry}, which is not in imageRegistries (${[...allowed].join(", ") || "none"})`];
        });
    },
};
