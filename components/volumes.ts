/**
 * Data volumes: which claims each store has, and what a config change may do to them.
 *
 * A StatefulSet's `volumeClaimTemplates` are immutable, so a size or class change there
 * would replace the StatefulSet (an outage) and then reuse the old claims anyway. So the
 * program creates each claim itself, under the name the StatefulSet controller looks
 * for (`<volume>-<statefulset>-<ordinal>`), and the StatefulSet adopts it. A claim is an
 * ordinary resource: Pulumi protects it, grows it in place, and never replaces it.
 *
 * Kubernetes refuses to shrink a claim, and grows one only where its class allows
 * expansion; it would refuse either halfway through an update, after quota and limits
 * had already changed. The program reads the live claims and classes first and refuses
 * such a config before anything is touched.
 */
import { objectApi } from "./cluster";
import { ConfigError, ConfigProblem, PROJECT } from "./config";
import { PART_OF } from "./labels";
import { PlatformModel, StoreModel } from "./model";
import { parseQuantity } from "./quantity";

export interface ClaimModel {
    namespace: string;
    /** `<volume>-<store>-<ordinal>`, the name the StatefulSet controller adopts. */
    name: string;
    volume: string;
    size: string;
    storageClass: string;
    /** The config key that sets the size, for messages. */
    key: string;
}

/** Pure: the claims of a store in a namespace, one per volume and replica. */
export function storeClaims(store: StoreModel, namespace: string): ClaimModel[] {
    return Object.entries(store.volumes).flatMap(([volume, v]) =>
        Array.from({ length: store.replicas }, (_, i) => ({
            namespace,
            name: `${volume}-${store.name}-${i}`,
            volume,
            size: v.size,
            storageClass: store.storageClass,
            key: v.key,
        })),
    );
}

/** Every claim of the platform, in its system namespace and every tenant's. */
export function allClaims(model: PlatformModel): ClaimModel[] {
    return [...model.stores.flatMap((s) => storeClaims(s, model.namespace)), ...model.tenants.flatMap((t) => storeClaims(t.redis, t.namespace))];
}

export interface LiveVolumes {
    /** By `namespace/name`: requested size and class. */
    claims: Map<string, { size: string; storageClass?: string }>;
    /** By class name: whether claims of it may grow. */
    expandable: Map<string, boolean>;
}

export const NO_LIVE_VOLUMES: LiveVolumes = { claims: new Map(), expandable: new Map() };

/** Pure: the config problems of shrinking or of growing where the class cannot. */
export function volumeProblems(model: PlatformModel, live: LiveVolumes): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const c of allClaims(model)) {
        const current = live.claims.get(`${c.namespace}/${c.name}`);
        if (!current) continue;
        const have = parseQuantity(current.size);
        const want = parseQuantity(c.size);
        if (want < have) {
            problems.push({
                path: `${PROJECT}:${c.key}`,
                message:
                    `${c.size} would shrink volume ${c.namespace}/${c.name} from ${current.size}; Kubernetes cannot shrink a volume, ` +
                    `so keep it at ${current.size} or more (a plan downgrade keeps its volumes: set the size explicitly)`,
            });
        } else if (want > have) {
            const cls = current.storageClass ?? c.storageClass;
            if (live.expandable.get(cls) !== true) {
                problems.push({
                    path: `${PROJECT}:${c.key}`,
                    message: `${c.size} would grow volume ${c.namespace}/${c.name} from ${current.size}, but storage class "${cls}" does not allow volume expansion (allowVolumeExpansion)`,
                });
            }
        }
    }
    return problems;
}

/** Refuses the config (ConfigError) when a volume would shrink or cannot grow. */
export function guardVolumes(model: PlatformModel, live: LiveVolumes): void {
    const problems = volumeProblems(model, live);
    if (problems.length > 0) throw new ConfigError(problems);
}

/** Reads the platform's live claims and every StorageClass (two LISTs). */
export async function readLiveVolumes(context: string): Promise<LiveVolumes> {
    const api = await objectApi(context);
    const claims = new Map<string, { size: string; storageClass?: string }>();
    const pvcs = await api.list("v1", "PersistentVolumeClaim", undefined, undefined, undefined, undefined, undefined, `app.kubernetes.io/part-of=${PART_OF}`);
    for (const o of pvcs.items as any[]) {
        const size = o.spec?.resources?.requests?.storage;
        if (size) claims.set(`${o.metadata.namespace}/${o.metadata.name}`, { size, storageClass: o.spec.storageClassName });
    }
    const expandable = new Map<string, boolean>();
    const classes = await api.list("storage.k8s.io/v1", "StorageClass");
    for (const o of classes.items as any[]) expandable.set(o.metadata.name, o.allowVolumeExpansion === true);
    return { claims, expandable };
}
