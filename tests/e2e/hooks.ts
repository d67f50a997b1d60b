/**
 * Root hooks of the e2e suite: build (or reuse) the toolchain, start a fresh local
 * cluster per environment with fresh Pulumi state, and tear everything down at the
 * end, pass or fail. A missing binary is built, never turned into a pass.
 */
import * as fs from "fs";
import { buildToolchain, cluster, clusterDown, clusterUp, stopClustersOnSignal, teardown, E2E_DIR, Env } from "./support";

export const clusters = { test: cluster("e2e", "test"), production: cluster("e2e", "production") };
/** The two shards' clusters; 09-shards starts and stops them, this cleans up after an interrupted run. */
export const shardClusters = { a: cluster("e2e", "shard-a"), b: cluster("e2e", "shard-b") };

export const mochaHooks = {
    beforeAll(this: Mocha.Context) {
        this.timeout(90 * 60 * 1000);
        buildToolchain();
        for (const c of [...Object.values(clusters), ...Object.values(shardClusters)]) {
            if (fs.existsSync(c.stateDir)) clusterDown(c, true);
        }
        fs.rmSync(E2E_DIR, { recursive: true, force: true });
        stopClustersOnSignal(Object.values(clusters));
        for (const c of Object.values(clusters)) clusterUp(c);
    },
    afterAll(this: Mocha.Context) {
        this.timeout(5 * 60 * 1000);
        teardown(Object.values(clusters));
    },
};

const envs: Record<string, Env> = {};
/** The Pulumi project of an environment, created on first use (after the hooks wiped state). */
export function env(name: "test" | "production"): Env {
    envs[name] ??= new Env(name, clusters[name]);
    return envs[name];
}
