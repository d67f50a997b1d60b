/**
 * Root hooks of the live admission suite: build (or reuse) the control plane, and give
 * each stack a fresh cluster of its own, torn down at the end, pass or fail.
 */
import * as fs from "fs";
import * as path from "path";
import { buildControlPlane, cluster, clusterDown, clusterUp, stopClustersOnSignal, teardown, ROOT } from "../support/cluster";

export const clusters = { test: cluster("live", "test"), production: cluster("live", "production") };

export const mochaHooks = {
    beforeAll(this: Mocha.Context) {
        this.timeout(60 * 60 * 1000);
        buildControlPlane();
        for (const c of Object.values(clusters)) {
            if (fs.existsSync(path.join(c.stateDir, "cluster", "pids"))) clusterDown(c, true);
        }
        fs.rmSync(path.join(ROOT, ".local", "live"), { recursive: true, force: true });
        stopClustersOnSignal(Object.values(clusters));
        for (const c of Object.values(clusters)) clusterUp(c);
    },
    afterAll(this: Mocha.Context) {
        this.timeout(5 * 60 * 1000);
        teardown(Object.values(clusters));
    },
};
