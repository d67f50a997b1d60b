import { Policy, where } from "./policy";

export const RECOMMENDED_LABELS = [
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
];

export const objectsRecommendedLabels: Policy = {
    name: "objects-recommended-labels",
    description: "Every Kubernetes object carries the Kubernetes recommended labels.",
    validate: (objects) =>
        objects
            .filter((o) => o.type.startsWith("kubernetes:") && o.inputs?.metadata)
            .flatMap((o) => RECOMMENDED_LABELS.filter((l) => !o.inputs.metadata.labels?.[l]).map((l) => `${where(o)}: label ${l} is missing`)),
};
