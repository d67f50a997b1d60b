/**
 * The whole program as one function: config → model → Platform → Observability →
 * one TenantSlice per tenant. index.ts calls it; the unit tests call it under mocks.
 */
import { skipBookkeepingStackTraces } from "./stack-traces";
import { useFastStructCodec } from "./protobuf-struct";
import { dropSdkDebugMessages } from "./sdk-debug-log";
import { serializeInputsSynchronously } from "./sdk-serialize";
import { keepLeakCheckOnly } from "./promise-leaks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterTarget, guardClusterOwnership, KubeconfigView, LiveOwners, readKubeconfig, readLiveOwners, resolveClusterTarget } from "./cluster";
import { loadConfig } from "./config";
import { PlatformModel } from "./model";
import { dropApiVersionAliases } from "./api-version-aliases";
import { Backups, SNAPSHOT_ACCOUNT } from "./backups";
import { Mesh } from "./mesh";
import { Observability } from "./observability";
import { CredentialsProvider } from "./credential";
import { LiveIndex, readGuardedObjects, reconcileAppendedEntries } from "./drift";
import { deployedTenants, guardOffboarding } from "./offboarding";
import { enforceFieldOwnership } from "./ownership";
import { Platform } from "./platform";
import { MovedTenant, TenantSlice } from "./tenant";
import { guardVolumes, LiveVolumes, NO_LIVE_VOLUMES, readLiveVolumes } from "./volumes";

export interface ProgramOutputs {
    environment: string;
    namespace: pulumi.Output<string>;
    serverUrl: pulumi.Output<string>;
    /**
     * Per tenant; also the record components/offboarding.ts reads back on the next update,
     * so `decommission` must stay in it.
     */
    tenants: Record<
        string,
        { namespace: pulumi.Output<string>; plan: string; serverUrl?: pulumi.Output<string>; decommission: boolean; movingTo?: string }
    >;
    /**
     * Generated credentials; every value is a Pulumi secret. For tests and for code that
     * composes the program: index.ts does not export them (they live in Kubernetes
     * Secrets), so no StackReference or `--show-secrets` can read them.
     */
    secrets: Record<string, pulumi.Output<string>>;
}

type Settled<T> = Promise<{ ok: true; value: T } | { ok: false; error: unknown }>;

/** Starts a read whose failure must not surface before (or unless) it is awaited. */
const settle = <T>(read: () => Promise<T>): Settled<T> =>
    Promise.resolve()
        .then(read)
        .then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

async function unwrap<T>(s: Settled<T>): Promise<T> {
    const r = await s;
    if (r.ok) return r.value;
    throw r.error;
}

/** This stack as `<org>/<project>/<stack>`, the owner recorded on cluster-scoped objects. */
export const stackName = () => `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;

export async function deploy(model: PlatformModel, target: ClusterTarget, live: LiveIndex = new Map()): Promise<ProgramOutputs> {
    // One explicit provider, on the context the stack's config names (cluster.ts), from the
    // ambient kubeconfig (KUBECONFIG or ~/.kube/config), never simply the current one.
    // Server-side apply lets HPAs and controllers own the fields they manage without diffs.
    // The client rate is the stack's (`cluster.qps`, `cluster.burst`); changing it updates
    // the provider in place and touches no object (e2e 04-client-rate).
    // `kubeconfig: ""` makes the provider load the ambient kubeconfig itself. Left unset, the
    // SDK fills it with KUBECONFIG's path, and the provider then writes a copy of that file,
    // credentials included, to a new temporary file on every run and never removes it (its
    // writeKubeconfigToFile); the path would also sit in state, so moving the file would
    // update the provider.
    const provider = new k8s.Provider("k8s", {
        kubeconfig: "",
        enableServerSideApply: true,
        context: target.context,
        kubeClientSettings: { qps: model.cluster.qps, burst: model.cluster.burst },
    });
    enforceFieldOwnership(stackName());
    reconcileAppendedEntries(live);
    dropApiVersionAliases();
    // Generated credentials (dynamic resources) get an explicit provider too (credential.ts).
    const credentials = new CredentialsProvider("credentials");
    const opts = { providers: [provider, credentials] };

    const platform = new Platform("neurallog", { model }, opts);
    if (model.observability.enabled) {
        new Observability("neurallog-observability", { model, namespace: platform.namespace }, opts);
    }
    if (model.mesh.enabled) {
        new Mesh("neurallog-mesh", { model, namespace: platform.namespace }, opts);
    }
    if (model.backups) {
        new Backups("neurallog-backups", { model, backups: model.backups, namespace: platform.namespace, stores: platform.dataStores }, opts);
    }
    const tenants: ProgramOutputs["tenants"] = {};
    const tenantSecrets: Record<string, pulumi.Output<string>> = {};
    for (const tenant of model.tenants) {
        // Let the SDK serialize and send the last slice's registrations before the next
        // slice is built: without it every tenant's props, Outputs and protobuf copies are
        // alive at once (1,000 tenants peaked at 1.15 GiB of heap; bench A).
        await new Promise((resolve) => setImmediate(resolve));
        if (tenant.movingTo) {
            const moved = new MovedTenant(`tenant-${tenant.tenantId}`, { tenant, mesh: model.mesh.enabled }, opts);
            // Retained, so the offboarding guard lets the entry go once it is in the target's file.
            tenants[tenant.tenantId] = { namespace: moved.namespace.output, plan: tenant.planId, decommission: true, movingTo: tenant.movingTo };
            continue;
        }
        const slice = new TenantSlice(
            `tenant-${tenant.tenantId}`,
            {
                tenant,
                systemNamespace: platform.namespace,
                server: model.server,
                network: model.network,
                tenantCrd: platform.tenantCrd,
                mesh: model.mesh.enabled,
                snapshotAccount: model.backups?.volumeSnapshots ? { namespace: model.namespace, name: SNAPSHOT_ACCOUNT } : undefined,
            },
            opts,
        );
        tenants[tenant.tenantId] = {
            namespace: slice.namespace.output,
            plan: tenant.planId,
            serverUrl: slice.server.url,
            decommission: tenant.retainOnDelete,
        };
        tenantSecrets[`tenant-${tenant.tenantId}-redisPassword`] = slice.redis.passwordValue;
    }
    return {
        environment: model.environment,
        namespace: platform.namespace.output,
        serverUrl: platform.server.url,
        tenants,
        secrets: { ...platform.secrets, ...tenantSecrets },
    };
}

/**
 * Validates the whole stack config, refuses a kubeconfig that points at another cluster
 * than the one the stack names, refuses to drop a tenant that is not decommissioned, and
 * refuses to shrink a volume or grow one its class cannot; any failure registers nothing
 * (beyond the root stack every program has), so the engine changes nothing.
 */
export async function main(
    io: {
        readLive?: (context: string) => Promise<LiveIndex>;
        readVolumes?: (context: string) => Promise<LiveVolumes>;
        readOwners?: (context: string) => Promise<LiveOwners>;
        kubeconfig?: () => Promise<KubeconfigView>;
    } = {},
): Promise<ProgramOutputs> {
    skipBookkeepingStackTraces();
    useFastStructCodec();
    dropSdkDebugMessages();
    serializeInputsSynchronously();
    keepLeakCheckOnly();
    const model = loadConfig();
    // Before anything else: a stack run against the wrong cluster must touch nothing.
    const target = resolveClusterTarget(model.cluster, await (io.kubeconfig ?? readKubeconfig)());
    // The guards' reads all start now and run together: reading this stack's last outputs
    // waits for the root stack's registration, and the LISTs of live objects need not
    // wait for it. A stack never deployed has no objects of its own to compare,
    // so the live reads' results, and their errors, count only for a deployed stack.
    const owners = settle(() => (io.readOwners ?? readLiveOwners)(target.context));
    const previous = settle(deployedTenants);
    const liveObjects = settle(() => (io.readLive ?? readGuardedObjects)(target.context));
    const liveVolumes = settle(() => (io.readVolumes ?? readLiveVolumes)(target.context));
    guardClusterOwnership(model, stackName(), await unwrap(owners), target);
    const deployed = await unwrap(previous);
    guardOffboarding(deployed, model);
    // Only a deployed stack has live objects to compare (components/drift.ts).
    const live = deployed ? await unwrap(liveObjects) : new Map();
    // Volumes only grow, and only where their class allows it: refused here, not halfway through.
    guardVolumes(model, deployed ? await unwrap(liveVolumes) : NO_LIVE_VOLUMES);
    return deploy(model, target, live);
}
