/**
 * Which cluster a stack deploys to. Without this, `pulumi up -s production` uses
 * whatever kube context is current and would deploy production onto a test cluster.
 * The stack names its cluster (`neurallog:cluster`: a kubeconfig context, an API
 * server URL, or both); the program checks the kubeconfig before it registers
 * anything, and the provider then uses exactly that context.
 */
import { ClusterModel } from "./model";
import { ConfigError, PROJECT } from "./config";

/** The parts of a kubeconfig the check needs (what @kubernetes/client-node's KubeConfig holds). */
export interface KubeconfigView {
    currentContext: string;
    contexts: { name: string; cluster: string }[];
    clusters: { name: string; server: string }[];
    /** Where it was read from, for the message. */
    source: string;
}

/** The context the provider will use and the server it points at. */
export interface ClusterTarget {
    context: string;
    server: string;
}

const normalise = (url: string) => url.replace(/\/+$/, "").toLowerCase();

/**
 * Pure: the target the stack's config names, or a ConfigError that says what the
 * kubeconfig points at instead and how to fix it.
 */
export function resolveClusterTarget(wanted: ClusterModel, kc: KubeconfigView): ClusterTarget {
    const contextName = wanted.context ?? kc.currentContext;
    const context = kc.contexts.find((c) => c.name === contextName);
    if (!context) {
        const known = kc.contexts.map((c) => c.name).join(", ") || "none";
        throw new ConfigError([
            {
                path: `${PROJECT}:cluster.context`,
                message: wanted.context
                    ? `"${wanted.context}" is not a context of ${kc.source} (contexts: ${known}); point KUBECONFIG at the kubeconfig of this stack's cluster`
                    : `is not set and ${kc.source} has no current context; set ${PROJECT}:cluster.context`,
            },
        ]);
    }
    const server = kc.clusters.find((c) => c.name === context.cluster)?.server ?? "";
    if (wanted.server !== undefined && normalise(wanted.server) !== normalise(server)) {
        throw new ConfigError([
            {
                path: `${PROJECT}:cluster.server`,
                message:
                    `is ${wanted.server} but context "${context.name}" of ${kc.source} points at ${server || "no server"}; ` +
                    `this stack refuses to deploy to another cluster (switch KUBECONFIG or the context, or correct the config if the cluster really moved)`,
            },
        ]);
    }
    return { context: context.name, server };
}

/** Reads the ambient kubeconfig (KUBECONFIG, else ~/.kube/config) as @kubernetes/client-node does. */
export async function readKubeconfig(): Promise<KubeconfigView> {
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    kc.loadFromDefault();
    return {
        currentContext: kc.getCurrentContext(),
        contexts: kc.getContexts().map((c) => ({ name: c.name, cluster: c.cluster })),
        clusters: kc.getClusters().map((c) => ({ name: c.name, server: c.server })),
        source: process.env.KUBECONFIG ? `KUBECONFIG (${process.env.KUBECONFIG})` : "~/.kube/config",
    };
}
