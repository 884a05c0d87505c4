/**
 * CPU accounting for the benchmark (Linux /proc): CPU seconds used by the benchmark's descendant
 * processes, split into the browser (Chromium's processes) and the rest (the stack: coordinator,
 * origin, relays). Snapshots are per process, so a delta counts processes started in between.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SEC = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, in seconds. */
  cpuSec: number;
}

function readStat(pid: string): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is the state (field 3); utime and stime are fields 14 and 15.
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { pid: Number(pid), ppid, comm, cpuSec: ticks / TICKS_PER_SEC };
  } catch {
    return undefined;
  }
}

/** CPU seconds so far of every live descendant of `root`, by pid. */
export type CpuSnapshot = Map<number, { browser: boolean; cpuSec: number }>;

export function cpuSnapshot(root = process.pid): CpuSnapshot {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat) stats.push(stat);
  }
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const out: CpuSnapshot = new Map();
  const walk = (pid: number, browser: boolean): void => {
    for (const child of children.get(pid) ?? []) {
      const isBrowser = browser || /chrom/i.test(child.comm);
      out.set(child.pid, { browser: isBrowser, cpuSec: child.cpuSec });
      walk(child.pid, isBrowser);
    }
  };
  walk(root, false);
  return out;
}

/** CPU seconds used between two snapshots by the browser and by everything else. */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): { browserSec: number; stackSec: number } {
  let browserSec = 0;
  let stackSec = 0;
  for (const [pid, now] of after) {
    const used = now.cpuSec - (before.get(pid)?.cpuSec ?? 0);
    if (now.browser) browserSec += used;
    else stackSec += used;
  }
  return { browserSec, stackSec };
}
