import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (ms) of one process from /proc/<pid>/stat: user + system. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Busy and total CPU time of the whole machine (all cores), in ms. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: ((total - idle) * 1000) / 100, total: (total * 1000) / 100 };
}

/** Child processes of this one whose command line matches (the dev server the SDK spawned). */
export function childPids(pattern: RegExp): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\u0000', ' ');
      if (pattern.test(command)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export interface CpuShares {
  /** CPU time of each watched process over the interval, as a share of one core (1.0 = one core busy). */
  cores: Record<string, number>;
  /** CPU time of each watched process over the interval, in ms. */
  ms: Record<string, number>;
  /** Share of all cores busy, machine-wide (other work on the machine included). */
  machineBusy: number;
}

/** Starts watching CPU use; the returned function reports it since the start. */
export function watchCpu(processes: Record<string, number | undefined>): () => CpuShares {
  const started = Date.now();
  const before = Object.fromEntries(
    Object.entries(processes).map(([name, pid]) => [
      name,
      pid === undefined ? 0 : name === 'bench' ? selfCpuMs() : processCpuMs(pid),
    ]),
  );
  const machineBefore = machineCpuMs();
  return () => {
    const wall = Math.max(1, Date.now() - started);
    const cores: Record<string, number> = {};
    const ms: Record<string, number> = {};
    for (const [name, pid] of Object.entries(processes)) {
      if (pid === undefined) continue;
      const now = name === 'bench' ? selfCpuMs() : processCpuMs(pid);
      ms[name] = Math.round(now - before[name]!);
      cores[name] = Math.round(((now - before[name]!) / wall) * 100) / 100;
    }
    const machine = machineCpuMs();
    const busy = (machine.busy - machineBefore.busy) / Math.max(1, machine.total - machineBefore.total);
    return { cores, ms, machineBusy: Math.round(busy * 100) / 100 };
  };
}

function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
