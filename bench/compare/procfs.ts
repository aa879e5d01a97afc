import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

// Resource use of server processes read from Linux /proc: CPU time from /proc/<pid>/stat, resident
// memory from /proc/<pid>/status (VmRSS) and /proc/<pid>/smaps_rollup (Pss).

/** The fields of /proc/<pid>/stat this benchmark uses. */
export interface ProcStat {
  pid: number;
  /** Parent process id (field 4). */
  ppid: number;
  /** utime + stime (fields 14 and 15), in clock ticks (see {@link clockTicksPerSecond}). */
  cpuTicks: number;
}

/**
 * Parses the text of /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so fields are counted from the last ')'. Throws on text of another shape.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  const pid = Number(text.slice(0, open).trim());
  // After ')': field 3 (state) is index 0, so field n is index n - 3.
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const ppid = Number(rest[4 - 3]);
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  if (![pid, ppid, utime, stime].every(Number.isInteger)) {
    throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { pid, ppid, cpuTicks: utime + stime };
}

/** A `Name:   1234 kB` line of /proc/<pid>/status or smaps_rollup, in bytes; throws when absent. */
export function parseKbField(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} line`);
  return Number(m[1]) * 1024;
}

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of /proc/<pid>/stat CPU times (`getconf CLK_TCK`; 100 on Linux when it cannot run). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** `root` and every process descended from it (Kamailio's workers are children of its main process). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: ProcStat;
    try {
      stat = parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
    } catch {
      continue; // exited while listing
    }
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length && out.length < 10_000) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Resource use summed over a set of processes at one instant. */
export interface Usage {
  /** User + system CPU time, microseconds. */
  cpuUs: number;
  /** Sum of VmRSS, bytes (pages shared between the processes count once per process). */
  rssBytes: number;
  /** Sum of Pss, bytes (shared pages divided among the processes that map them). */
  pssBytes: number;
}

/** Reads the usage of `pids` now; a process that has exited counts as zero. */
export function usage(pids: readonly number[]): Usage {
  const hz = clockTicksPerSecond();
  const total: Usage = { cpuUs: 0, rssBytes: 0, pssBytes: 0 };
  for (const pid of pids) {
    try {
      total.cpuUs += (parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).cpuTicks * 1e6) / hz;
      total.rssBytes += parseKbField(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
      total.pssBytes += parseKbField(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
    } catch {
      // exited
    }
  }
  return total;
}

/** `after - before`, field by field. */
export function usageDelta(before: Usage, after: Usage): Usage {
  return {
    cpuUs: after.cpuUs - before.cpuUs,
    rssBytes: after.rssBytes - before.rssBytes,
    pssBytes: after.pssBytes - before.pssBytes,
  };
}
