import { Policy, RenderedObject, where } from "./policy";

export const RECOMMENDED_LABELS = [
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
];

/**
 * The program reads the CRDs of prometheus-operator, Istio and the like before creating
 * their objects (a missing one fails the preview); it never writes them, so their labels
 * are their projects'. Only the program's own CRDs (group neurallog.io) are checked.
 */
const isThirdPartyCrd = (o: RenderedObject) =>
    o.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" && !String(o.inputs.metadata.name ?? "").endsWith(".neurallog.io");

export const objectsRecommendedLabels: Policy = {
    name: "objects-recommended-labels",
    description: "Every Kubernetes object carries the Kubernetes recommended labels.",
    validate: (objects) =>
        objects
            .filter((o) => o.type.startsWith("kubernetes:") && o.inputs?.metadata && !isThirdPartyCrd(o))
            .flatMap((o) => RECOMMENDED_LABELS.filter((l) => !o.inputs.metadata.labels?.[l]).map((l) => `${where(o)}: label ${l} is missing`)),
};
