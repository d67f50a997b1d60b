/**
 * Where a measurement's time goes: CPU seconds by process while it runs, read from /proc
 * every 200 ms (Linux). Wall time alone cannot tell a step that waits (on the API server,
 * on a rollout) from one that is short of CPU, nor which side spends it: the program, the
 * engine, the providers or the cluster. The same samples give each process's peak
 * resident memory, which is what decides the machine (or CI runner) a fleet needs.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** USER_HZ: /proc reports CPU time in these ticks on every Linux this runs on. */
const TICKS_PER_SECOND = 100;
/** /proc/<pid>/stat counts resident memory in pages. */
const PAGE_BYTES = Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).trim());

/** Pure: the name a process is reported under, from its command line (or, for a kernel thread, its name). */
export function processLabel(argv: string[], name: string): string {
    if (argv.length === 0) return name;
    const exe = path.basename(argv[0]);
    if (exe !== "node") return exe;
    const script = argv.slice(1).find((a) => !a.startsWith("-") && a.includes("/"));
    if (script?.includes("dynamic-provider")) return "node: dynamic provider";
    if (script?.includes("cmd/run")) return "node: program";
    return `node: ${path.basename(script ?? "?")}`;
}

/**
 * Pure: the name, user + system ticks and resident pages in the text of /proc/<pid>/stat
 * (the name may hold spaces).
 */
export function parseStat(stat: string): { name: string; ticks: number; rssPages: number } {
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    // Fields 14 and 15 of proc(5), utime and stime, and 24, rss; `fields` starts at field 3.
    return { name: stat.slice(stat.indexOf("(") + 1, close), ticks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) };
}

type Sample = { label: string; ticks: number; rssPages: number };

/**
 * Pure: from the aggregate `cpu` line of /proc/stat, the ticks the hypervisor gave to
 * other guests while this one had work (steal) and all ticks counted. On a shared host
 * the same work takes longer when another guest is busy; the share of steal over a
 * measurement tells a slower host from slower code.
 */
export function parseCpuLine(procStat: string): { steal: number; total: number } {
    const line = procStat.split("\n").find((l) => l.startsWith("cpu "));
    if (!line) throw new Error("no aggregate cpu line in /proc/stat");
    // user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user and nice]
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0) };
}

/** Pure: the share of the host's CPU time stolen between two readings of /proc/stat. */
export function stealShare(before: { steal: number; total: number }, after: { steal: number; total: number }): number {
    const total = after.total - before.total;
    return total > 0 ? (after.steal - before.steal) / total : 0;
}

export class CpuSampler {
    private readonly before = new Map<number, number>();
    private readonly latest = new Map<number, Sample>();
    /** Per label, the most its processes held resident at once (pages), over the samples. */
    private readonly peakPages = new Map<string, number>();
    private timer?: NodeJS.Timeout;
    private hostBefore?: { steal: number; total: number };
    private hostAfter?: { steal: number; total: number };

    start(): void {
        this.hostBefore = parseCpuLine(fs.readFileSync("/proc/stat", "utf8"));
        for (const [pid, ticks] of this.read()) this.before.set(pid, ticks.ticks);
        this.timer = setInterval(() => this.sample(), 200);
    }

    /** The share of the machine's CPU time the hypervisor stole between start() and stop(). */
    steal(): number {
        if (!this.hostBefore || !this.hostAfter) throw new Error("steal() needs start() and stop() first");
        return stealShare(this.hostBefore, this.hostAfter);
    }

    /** Seconds of CPU by process label since start(), largest first; this process excluded. */
    stop(): Record<string, number> {
        clearInterval(this.timer);
        this.sample();
        this.hostAfter = parseCpuLine(fs.readFileSync("/proc/stat", "utf8"));
        const byLabel = new Map<string, number>();
        for (const [pid, { label, ticks }] of this.latest) {
            const spent = ticks - (this.before.get(pid) ?? 0);
            if (spent > 0) byLabel.set(label, (byLabel.get(label) ?? 0) + spent / TICKS_PER_SECOND);
        }
        return Object.fromEntries([...byLabel].sort((a, b) => b[1] - a[1]).map(([l, s]) => [l, Math.round(s * 10) / 10]));
    }

    /**
     * MiB by process label since start(), largest first: the peak of the resident memory
     * of the label's processes summed at each sample (two providers count together). A
     * spike shorter than the 200 ms between samples can be missed.
     */
    peakMemoryMiB(): Record<string, number> {
        return Object.fromEntries(
            [...this.peakPages]
                .sort((a, b) => b[1] - a[1])
                .map(([l, pages]) => [l, Math.round((pages * PAGE_BYTES) / 2 ** 20)] as [string, number])
                .filter(([, mib]) => mib > 0),
        );
    }

    private sample(): void {
        const now = new Map<string, number>();
        for (const [pid, v] of this.read()) {
            this.latest.set(pid, v);
            now.set(v.label, (now.get(v.label) ?? 0) + v.rssPages);
        }
        for (const [label, pages] of now) this.peakPages.set(label, Math.max(this.peakPages.get(label) ?? 0, pages));
    }

    private read(): Map<number, Sample> {
        const seen = new Map<number, Sample>();
        for (const entry of fs.readdirSync("/proc")) {
            const pid = Number(entry);
            if (!Number.isInteger(pid) || pid === process.pid) continue;
            try {
                const { name, ticks, rssPages } = parseStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
                // Read every time: a child sampled between fork and exec still shows its
                // parent's command line, and an exiting one shows none (keep the last name).
                const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
                const label = argv.length === 0 && this.latest.has(pid) ? this.latest.get(pid)!.label : processLabel(argv, name);
                seen.set(pid, { label, ticks, rssPages });
            } catch {
                // The process ended between listing and reading: its last sample stands.
            }
        }
        return seen;
    }
}
