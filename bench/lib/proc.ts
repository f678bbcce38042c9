/** CPU time and peak memory of a process, read from /proc (Linux), for per-request CPU figures. */
import { readdirSync, readFileSync } from 'node:fs';

/** Seconds of CPU (user + system) a process has used. */
export type CpuSample = number;

// Linux reports utime/stime in clock ticks; USER_HZ is 100 on every Linux this project runs on.
const TICKS_PER_SECOND = 100;

/** A /proc stat file's command name (field 2) and its CPU ticks (utime + stime, fields 14 and 15). */
function readStat(path: string): { name: string; ticks: number } {
  const stat = readFileSync(path, 'utf8');
  // The command name may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** CPU seconds used so far by `pid`. */
export function cpuSeconds(pid: number): CpuSample {
  return readStat(`/proc/${pid}/stat`).ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by each of `pid`'s threads whose name (comm) is `thread`, summed (e.g.
 * 'WorkerThread': a subgraph's supervision writer thread; 'MainThread': its event loop). 0 when none.
 */
export function threadCpuSeconds(pid: number, thread: string): CpuSample {
  let ticks = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readStat(`/proc/${pid}/task/${tid}/stat`);
      if (stat.name === thread) ticks += stat.ticks;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** Peak resident memory of `pid` in MiB (VmHWM), or '?' when unreadable. */
export function peakRssMiB(pid: number): string {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? (Number(m[1]) / 1024).toFixed(0) : '?';
  } catch {
    return '?';
  }
}

/** Resident memory of `pid` now, in MiB (VmRSS), or NaN when unreadable. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
