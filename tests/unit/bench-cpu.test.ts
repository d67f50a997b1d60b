/**
 * The benchmark's CPU profile (bench/cpu.ts): it reads /proc right, names the processes
 * a Pulumi run starts, and attributes a busy child's CPU to it.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import { CpuSampler, parseStat, processLabel } from "../../bench/cpu";
import { cpuTables } from "../../bench/report";

describe("bench CPU profile", () => {
    it("reads the name and ticks of /proc/<pid>/stat, also when the name holds spaces and parentheses", () => {
        const self = parseStat(fs.readFileSync("/proc/self/stat", "utf8"));
        assert.strictEqual(self.name, "node");
        assert.ok(self.ticks >= 0 && Number.isInteger(self.ticks));
        const odd = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 17 0 0 20 0 1 0 1 1 1";
        assert.deepStrictEqual(parseStat(odd), { name: "a (b) c", ticks: 267 });
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

    it("reports cores busy as CPU over wall time of the same run", () => {
        const data = {
            machine: { cpus: 2 },
            results: { 100: { samples: { "C up": [90, 50] }, cpu: { "C up": { "kube-apiserver": 30, "node: program": 20, pulumi: 10 } } } },
        };
        const text = cpuTables(data).join("\n");
        assert.match(text, /\| C up \| 1\.20 \| 30\.0 \| 20\.0 \| 10\.0 \| 0\.00 \|/);
    });
});
