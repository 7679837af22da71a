import { machineCpuMs, processCpuMs } from './cpu';
import { round2 } from './stats';

export interface ProcessCpu {
  /** CPU time of each process over the watch, in ms. */
  ms: Record<string, number>;
  /** The same as a share of one core (1.0 = one core busy the whole time). */
  cores: Record<string, number>;
  /** Share of all cores busy, machine-wide (other work on the machine included). */
  machineBusy: number;
}

/**
 * CPU of named processes, sampled every second so that a process that dies during the watch (a
 * replica killed on purpose) keeps the CPU it had used: /proc forgets it once it is gone.
 */
export function sampleCpu(processes: () => Record<string, number | undefined>): { stop(): ProcessCpu } {
  const started = Date.now();
  const machineBefore = machineCpuMs();
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const sample = () => {
    for (const [name, pid] of Object.entries(processes())) {
      if (pid === undefined) continue;
      const key = `${name}\u0000${pid}`;
      const cpu = processCpuMs(pid);
      if (!first.has(key)) first.set(key, cpu);
      if (cpu > 0) last.set(key, cpu);
    }
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    stop() {
      sample();
      clearInterval(timer);
      const wall = Math.max(1, Date.now() - started);
      const ms: Record<string, number> = {};
      for (const [key, begin] of first) {
        const name = key.split('\u0000')[0]!;
        ms[name] = Math.round((ms[name] ?? 0) + Math.max(0, (last.get(key) ?? begin) - begin));
      }
      const cores = Object.fromEntries(Object.entries(ms).map(([name, value]) => [name, round2(value / wall)]));
      const machine = machineCpuMs();
      const busy = (machine.busy - machineBefore.busy) / Math.max(1, machine.total - machineBefore.total);
      return { ms, cores, machineBusy: round2(busy) };
    },
  };
}
