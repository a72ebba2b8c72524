/**
 * CPU seconds used by each part of the stack, read from /proc (Linux): the Temporal server, Postgres and this
 * process (worker + ingestion). The ingestion benchmark prints them per phase, so a slow phase says where its
 * time went rather than leaving it to guesswork.
 */
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuTicks(pid: number, reapedChildren = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: utime and stime are fields 14 and 15, and cutime and
    // cstime (children that have ended and been waited for) 16 and 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + (reapedChildren ? Number(f[13]) + Number(f[14]) : 0);
  } catch {
    return 0; // the process ended: its time is no longer visible
  }
}

function pidsWith(marker: string): number[] {
  if (!fs.existsSync('/proc')) return [];
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker); } catch { return false; }
  });
}

export interface CpuSample { temporal: number; postgres: number; self: number }

/** Sample CPU seconds so far: processes are found by a marker in their command line (the data directory). */
export function cpuSample(o: { temporalMarker: string; postgresMarker: string }): CpuSample {
  const sum = (pids: number[]) => pids.reduce((t, p) => t + cpuTicks(p), 0) / TICKS_PER_SECOND;
  // Postgres backends show only "postgres: user db ..." in their cmdline: count every child of the postmaster.
  const postmasters = pidsWith(o.postgresMarker);
  const backends = fs.existsSync('/proc') ? fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return postmasters.includes(ppid);
    } catch { return false; }
  }) : [];
  // A backend that has ended is no longer listed, but the postmaster has waited for it: its time is counted in
  // the postmaster's children's time, so a phase in which a connection closed never shows negative CPU.
  const postgres = postmasters.reduce((t, p) => t + cpuTicks(p, true), 0) / TICKS_PER_SECOND + sum(backends);
  return { temporal: sum(pidsWith(o.temporalMarker)), postgres, self: sum([process.pid]) };
}

export function cpuDelta(a: CpuSample, b: CpuSample): CpuSample {
  return { temporal: b.temporal - a.temporal, postgres: b.postgres - a.postgres, self: b.self - a.self };
}
