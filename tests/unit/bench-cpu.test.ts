/**
 * The benchmark's CPU profile (bench/cpu.ts): it reads /proc right, names the processes
 * a Pulumi run starts, and attributes a busy child's CPU to it; and the report of its
 * results (bench/report.ts).
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import { CpuSampler, parseCpuLine, parseStat, processLabel, stealShare } from "../../bench/cpu";
import { cpuTables, markdown, memoryTables } from "../../bench/report";

describe("bench CPU profile", () => {
    it("reads the name and ticks of /proc/<pid>/stat, also when the name holds spaces and parentheses", () => {
        const self = parseStat(fs.readFileSync("/proc/self/stat", "utf8"));
        assert.strictEqual(self.name, "node");
        assert.ok(self.ticks >= 0 && Number.isInteger(self.ticks));
        const odd = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 17 0 0 20 0 1 0 1 9000 2500 18446744073709551615";
        assert.deepStrictEqual(parseStat(odd), { name: "a (b) c", ticks: 267, rssPages: 2500 });
    });

    it("names the program, the dynamic provider, binaries and kernel threads apart", () => {
        assert.strictEqual(processLabel(["/usr/bin/node", "--stack-trace-limit=3", "/p/node_modules/@pulumi/pulumi/cmd/run", "."], "node"), "node: program");
        assert.strictEqual(processLabel(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"], "node"), "node: dynamic provider");
        assert.strictEqual(processLabel(["/cache/bin/pulumi-resource-kubernetes", "127.0.0.1:1"], "pulumi-resource"), "pulumi-resource-kubernetes");
        assert.strictEqual(processLabel([], "kworker/0:1"), "kworker/0:1");
    });

    it("attributes a busy child's CPU to it", async function () {
        this.timeout(20000);
        const sampler = new CpuSampler();
        sampler.start();
        await new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, ["-e", "while (process.cpuUsage().user < 400000);", "/tmp/busy-child/spin.js"]);
            child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
        });
        const profile = sampler.stop();
        assert.ok((profile["node: spin.js"] ?? 0) >= 0.3, JSON.stringify(profile));
    });

    it("keeps the peak of a child's resident memory after it has let it go", async function () {
        this.timeout(20000);
        const sampler = new CpuSampler();
        sampler.start();
        // Holds 300 MiB for a second (five samples), then frees it and idles before exiting.
        const script = "let b = Buffer.alloc(300 * 2 ** 20, 1); setTimeout(() => { b = undefined; global.gc(); setTimeout(() => {}, 600); }, 1000);";
        await new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, ["--expose-gc", "-e", script, "/tmp/memory-child/hold.js"]);
            child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
        });
        sampler.stop();
        const peak = sampler.peakMemoryMiB()["node: hold.js"] ?? 0;
        assert.ok(peak >= 300 && peak < 600, `peak ${peak} MiB of a child that held 300 MiB`);
    });

    it("reports cores busy as CPU over wall time of the same run", () => {
        const data = {
            machine: { cpus: 2 },
            results: { 100: { samples: { "C up": [90, 50] }, cpu: { "C up": { "kube-apiserver": 30, "node: program": 20, pulumi: 10 } } } },
        };
        const text = cpuTables(data).join("\n");
        assert.match(text, /\| C up \| 1\.20 \| – \| 30\.0 \| 20\.0 \| 10\.0 \| 0\.00 \|/);
    });

    it("reads the host's steal from /proc/stat and reports its share of a measurement", () => {
        const self = parseCpuLine(fs.readFileSync("/proc/stat", "utf8"));
        assert.ok(self.total > 0 && self.steal >= 0 && self.steal <= self.total);
        // guest and guest_nice (the last two) are already counted in user and nice.
        const before = parseCpuLine("cpu  100 0 50 800 10 0 5 35 7 7\ncpu0 50 0 25 400 5 0 2 18 0 0\n");
        assert.deepStrictEqual(before, { steal: 35, total: 1000 });
        const after = parseCpuLine("cpu  400 0 150 1100 10 0 5 335 9 9\n");
        assert.strictEqual(stealShare(before, after), 0.3);
        const data = {
            machine: { cpus: 2 },
            results: { 100: { samples: { "B preview": [20] }, cpu: { "B preview": { "node: program": 16, pulumi: 8 } }, steal: { "B preview": 0.3 } } },
        };
        assert.match(cpuTables(data).join("\n"), /\| B preview \| 1\.20 \| 30% \| 16\.0 \| 8\.00 \| 0\.00 \|/);
    });

    it("tables each process's peak memory under the processes that held most", () => {
        const data = {
            machine: { cpus: 2, memoryGiB: 24 },
            results: {
                500: {
                    samples: {},
                    memory: { "C up": { pulumi: 3250, "node: program": 2277, etcd: 900 }, "E drift": { pulumi: 6449, "node: program": 2650 } },
                },
            },
        };
        const text = memoryTables(data, 2).join("\n");
        assert.match(text, /### 500 tenants/);
        assert.match(text, /\| measurement \| pulumi \| node: program \|/);
        assert.match(text, /\| C up \| 3250 \| 2277 \|/);
        assert.match(text, /\| E drift \| 6449 \| 2650 \|/);
    });
});

describe("bench results report", () => {
    it("marks a command that failed part-way, and only that one, in the results' list of commands", () => {
        const command = (c: string, extra: object = {}) => ({ command: c, started: "2026-11-23T00:00:00Z", nodeArgs: [], ...extra });
        const data = {
            commands: [command("npm run bench -- --tenants 100"), command("npm run bench -- --tenants 1000", { failed: "pulumi up --yes failed (exit 255)" })],
            machine: { cpus: 2, cpu: "cpu", memoryGiB: 24, node: "v20", platform: "linux" },
            settings: { tuned: {} },
            results: { 100: { samples: { "K apply": [30, 34, 32] } } },
        };
        const lines = markdown(data).split("\n");
        const [whole, half] = ["--tenants 100`", "--tenants 1000`"].map((c) => lines.find((l) => l.includes(c))!);
        assert.ok(!whole.includes("failed"), whole);
        assert.match(half, /\*\*failed\*\* \(pulumi up --yes failed \(exit 255\)\): only what it measured before is here/);
        assert.ok(lines.includes("| K apply | 32.0 [30.0–34.0] |"), lines.join("\n"));
    });
});
