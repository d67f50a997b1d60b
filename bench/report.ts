/**
 * bench/results.json → bench/results.md (medians with min and max, every Pulumi figure
 * also as a ratio to kubectl's) and bench/results.svg (drawn by Vega-Lite).
 *
 *   npm run bench:report
 */
import * as fs from "fs";
import * as path from "path";
import type * as Vega from "vega";

// Vega and Vega-Lite are ES modules with top-level await: only a real import() loads them,
// and TypeScript's CommonJS output would turn one into require(). Vega-Lite's types are
// published through package "exports", which `moduleResolution: node` does not read.
const esm = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<any>;
type VegaLite = { compile: (spec: object) => { spec: Vega.Spec } };

const BENCH = __dirname;

export interface Stat {
    median: number;
    min: number;
    max: number;
    runs: number;
}

/** Pure: median (mean of the middle two for an even count), min and max. */
export function stat(xs: number[]): Stat {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

/** Which kubectl figure a Pulumi figure is compared with. */
const BASELINE: Record<string, string> = {
    "C up": "K apply+ready",
    "C up (defaults)": "K apply+ready",
    "B preview": "K dry-run",
    "E drift": "K dry-run",
};

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export function markdown(data: any): string {
    const ns = Object.keys(data.results).map(Number).sort((a, b) => a - b);
    const keys = [...new Set(ns.flatMap((n) => Object.keys(data.results[n].samples)))];
    const lines = [
        "# Benchmark results",
        "",
        "Produced by these commands, then `npm run bench:report`:",
        "",
        ...data.commands.map((c: any) => `- \`${c.command}\` (started ${c.started}; Node arguments: ${c.nodeArgs.length ? c.nodeArgs.join(" ") : "none"}; transpiler ${c.transpiler ?? "typescript"}${c.parallel ? `; tuned parallelism ${c.parallel}` : ""}${c.note ? `; ${c.note}` : ""}${c.replaced ? `; replaced the earlier samples of ${c.replaced.join(", ")}` : ""}${c.failed ? `; **failed** (${c.failed}): only what it measured before is here` : ""})`),
        "",
        `Machine: ${data.machine.cpus} × ${data.machine.cpu}, ${data.machine.memoryGiB} GiB, Node ${data.machine.node}, ${data.machine.platform}; local cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok nodes) on the same machine.`,
        `Tuned engine settings of the last command (each command above names the parallelism its tuned runs used): ${Object.entries(data.settings.tuned).map(([k, v]) => `${k}=${v}`).join(", ")}.`,
        "",
        "Seconds unless named otherwise; each cell is the median, with [min–max] over the runs. A ratio compares the Pulumi median with the kubectl median of the same run set (C with apply + ready, B and E with the server-side dry run).",
        "",
        `| measurement | ${ns.map((n) => `${n} tenant${n === 1 ? "" : "s"}`).join(" | ")} |`,
        `| --- | ${ns.map(() => "---").join(" | ")} |`,
        `| resources (objects) | ${ns.map((n) => `${data.results[n].resources ?? "–"} (${data.results[n].objects ?? "–"})`).join(" | ")} |`,
    ];
    for (const k of keys) {
        const cells = ns.map((n) => {
            const xs = data.results[n].samples[k];
            if (!xs?.length) return "–";
            const s = stat(xs);
            const base = BASELINE[k] && data.results[n].samples[BASELINE[k]];
            const ratio = base?.length ? ` (×${(s.median / stat(base).median).toFixed(1)})` : "";
            return `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]${ratio}`;
        });
        lines.push(`| ${k} | ${cells.join(" | ")} |`);
    }
    lines.push("", "![Median seconds by fleet size](results.svg)", "", ...cpuTables(data), ...memoryTables(data));
    return lines.join("\n");
}

/**
 * Pure: for each fleet size with a CPU profile (bench/cpu.ts), CPU seconds by process in
 * the last run of each measurement, and how many of the machine's cores were busy on
 * average: near the core count a step is short of CPU, well below it the step waits.
 */
export function cpuTables(data: any, columns = 6): string[] {
    const out: string[] = [];
    for (const n of Object.keys(data.results).map(Number).sort((a, b) => a - b)) {
        const cpu: Record<string, Record<string, number>> | undefined = data.results[n].cpu;
        if (!cpu || !Object.keys(cpu).length) continue;
        const steal: Record<string, number> = data.results[n].steal ?? {};
        const total = (m: string) => Object.values(cpu[m]).reduce((a, b) => a + b, 0);
        const weight = new Map<string, number>();
        for (const p of Object.values(cpu)) for (const [label, sec] of Object.entries(p)) weight.set(label, (weight.get(label) ?? 0) + sec);
        const top = [...weight].sort((a, b) => b[1] - a[1]).slice(0, columns).map(([l]) => l);
        if (!out.length) out.push("## Where the CPU goes", "", `CPU seconds by process during the last run of each measurement (sampled from /proc every 200 ms), the machine's ${data.machine.cpus} cores' average use over the measurement's wall time, and the share of the machine's CPU time the hypervisor gave to other guests meanwhile (host steal; – where it was not recorded): the same work takes longer on a busy host.`, "");
        out.push(`### ${n} tenant${n === 1 ? "" : "s"}`, "", `| measurement | cores busy | host steal | ${top.join(" | ")} | other |`, `| --- | --- | --- | ${top.map(() => "---").join(" | ")} | --- |`);
        for (const [m, p] of Object.entries(cpu)) {
            const wall = data.results[n].samples[m]?.at(-1);
            const busy = wall ? (total(m) / wall).toFixed(2) : "–";
            const other = total(m) - top.reduce((a, l) => a + (p[l] ?? 0), 0);
            const stolen = steal[m] === undefined ? "–" : `${Math.round(steal[m] * 100)}%`;
            out.push(`| ${m} | ${busy} | ${stolen} | ${top.map((l) => fmt(p[l] ?? 0)).join(" | ")} | ${fmt(Math.max(0, other))} |`);
        }
        out.push("");
    }
    return out;
}

/**
 * Pure: for each fleet size with memory samples, the peak resident memory (MiB) of the
 * processes that hold most, in the last run of each measurement, and the machine's total.
 */
export function memoryTables(data: any, columns = 6): string[] {
    const out: string[] = [];
    for (const n of Object.keys(data.results).map(Number).sort((a, b) => a - b)) {
        const memory: Record<string, Record<string, number>> | undefined = data.results[n].memory;
        if (!memory || !Object.keys(memory).length) continue;
        const most = new Map<string, number>();
        for (const p of Object.values(memory)) for (const [label, mib] of Object.entries(p)) most.set(label, Math.max(most.get(label) ?? 0, mib));
        const top = [...most].sort((a, b) => b[1] - a[1]).slice(0, columns).map(([l]) => l);
        if (!out.length)
            out.push(
                "## Peak memory",
                "",
                `Peak resident memory (MiB) by process during the last run of each measurement, from the same /proc samples (a spike shorter than 200 ms can be missed); the machine has ${data.machine.memoryGiB} GiB.`,
                "",
            );
        out.push(`### ${n} tenant${n === 1 ? "" : "s"}`, "", `| measurement | ${top.join(" | ")} |`, `| --- | ${top.map(() => "---").join(" | ")} |`);
        for (const [m, p] of Object.entries(memory)) out.push(`| ${m} | ${top.map((l) => (p[l] === undefined ? "–" : String(p[l]))).join(" | ")} |`);
        out.push("");
    }
    return out;
}

export async function chart(data: any): Promise<string> {
    const values = Object.entries(data.results).flatMap(([n, r]: [string, any]) =>
        Object.entries(r.samples as Record<string, number[]>)
            .filter(([k]) => !k.includes("MiB"))
            .map(([k, xs]) => ({ tenants: Number(n), measurement: k, seconds: stat(xs).median, min: stat(xs).min, max: stat(xs).max })),
    );
    const spec = {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title: "NeuralLog fleet: median seconds (bars: min–max)",
        width: 520,
        height: 320,
        data: { values },
        encoding: {
            x: { field: "tenants", type: "quantitative", scale: { type: "log" }, title: "tenants" },
            y: { field: "seconds", type: "quantitative", scale: { type: "log" }, title: "seconds (log)" },
            color: { field: "measurement", type: "nominal" },
        },
        layer: [
            { mark: { type: "line", point: true } },
            { mark: "rule", encoding: { y: { field: "min", type: "quantitative" }, y2: { field: "max" } } },
        ],
    };
    const vega: typeof Vega = await esm("vega");
    const vl: VegaLite = await esm("vega-lite");
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
    return view.toSVG();
}

async function main() {
    const data = JSON.parse(fs.readFileSync(path.join(BENCH, "results.json"), "utf8"));
    fs.writeFileSync(path.join(BENCH, "results.md"), markdown(data));
    fs.writeFileSync(path.join(BENCH, "results.svg"), await chart(data));
    process.stderr.write("wrote bench/results.md and bench/results.svg\n");
}

if (require.main === module) {
    main().catch((e) => {
        process.stderr.write(`${e.stack ?? e}\n`);
        process.exit(1);
    });
}
