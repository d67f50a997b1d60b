/**
 * The guards' reads (owners of cluster-scoped objects, live objects, live volumes, this
 * stack's last outputs) start together, so a large stack's checkpoint load and the LISTs
 * overlap; and a read only a deployed stack needs fails the program only for a deployed stack.
 */
import * as assert from "assert";
import { LiveIndex } from "../../components/drift";
import { LiveOwners } from "../../components/cluster";
import { LiveVolumes, NO_LIVE_VOLUMES } from "../../components/volumes";
import { Run, runUnderMocks, stackConfig } from "./harness";

interface Io {
    readLive: () => Promise<LiveIndex>;
    readVolumes: () => Promise<LiveVolumes>;
    readOwners: () => Promise<LiveOwners>;
}

const config = () => stackConfig("test");

/** The program under mocks with these reads; `deployed` stands for a previous update's outputs. */
function run(io: Io, deployed: boolean): Promise<Run> {
    const previous = deployed ? { tenants: Object.fromEntries(config().tenants.map((t: any) => [t.tenantId, { decommission: false }])) } : {};
    return runUnderMocks(config(), "test", previous, async () => {
        const { main } = await import("../../components/program");
        const context = config().cluster.context;
        return main({
            ...io,
            kubeconfig: async () => ({
                currentContext: context,
                contexts: [{ name: context, cluster: "c" }],
                clusters: [{ name: "c", server: "https://127.0.0.1:6443" }],
                source: "unit",
            }),
        });
    });
}

const registeredObjects = (r: Run) => r.resources.filter((x) => x.type.startsWith("kubernetes:") && x.type !== "pulumi:providers:kubernetes");

describe("the guards' reads", () => {
    it("run at the same time: no read waits for another to finish", async () => {
        // Each read finishes only once all three have started; read one after another, the first never would.
        let started = 0;
        let release!: () => void;
        const allStarted = new Promise<void>((resolve) => (release = resolve));
        const gate = async <T>(value: T): Promise<T> => {
            if (++started === 3) release();
            const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${started} of 3 reads started: they ran one after another`)), 2000));
            await Promise.race([allStarted, timeout]);
            return value;
        };
        const r = await run({ readLive: () => gate(new Map()), readVolumes: () => gate(NO_LIVE_VOLUMES), readOwners: () => gate(new Map()) }, true);
        assert.ifError(r.error);
        assert.strictEqual(started, 3);
        assert.ok(registeredObjects(r).length > 0, "the program went on to register the stack");
    });

    it("a stack never deployed ignores a live read that fails (it has no objects of its own to compare)", async () => {
        const failing = async (): Promise<never> => {
            throw new Error("live objects: forbidden");
        };
        const r = await run({ readLive: failing, readVolumes: failing, readOwners: async () => new Map() }, false);
        assert.ifError(r.error);
        assert.ok(registeredObjects(r).length > 0);
    });

    it("a deployed stack stops on a live read that fails, before it registers any object", async () => {
        const r = await run(
            {
                readLive: async () => {
                    throw new Error("live objects: forbidden");
                },
                readVolumes: async () => NO_LIVE_VOLUMES,
                readOwners: async () => new Map(),
            },
            true,
        );
        assert.match(String(r.error?.message), /live objects: forbidden/);
        assert.deepStrictEqual(registeredObjects(r), []);
    });

    it("a failing owners read stops the program, whatever else was read", async () => {
        const r = await run(
            {
                readLive: async () => new Map(),
                readVolumes: async () => NO_LIVE_VOLUMES,
                readOwners: async () => {
                    throw new Error("owners: connection refused");
                },
            },
            false,
        );
        assert.match(String(r.error?.message), /owners: connection refused/);
        assert.deepStrictEqual(registeredObjects(r), []);
    });
});
