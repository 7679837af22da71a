import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type pg from 'pg';
import { processCpuMs } from './cpu';

/** Local ports of the TCP connections process `pid` holds (its socket fds, looked up in /proc/net/tcp{,6}). */
export function localPorts(pid: number): number[] {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (socket) inodes.add(socket[1]!);
    } catch {
      // closed while we looked
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 9 && inodes.has(fields[9]!)) ports.push(parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Postgres's own processes (checkpointer, WAL writer, autovacuum, …): every child of the postmaster that serves no client. */
function backgroundPids(postmaster: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (parentPid(pid) !== postmaster) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (/checkpointer|background writer|walwriter|autovacuum|logical replication/.test(command)) pids.push(pid);
    } catch {
      // ended
    }
  }
  return pids;
}

export interface PostgresCpu {
  /** CPU of the backends serving the watched processes' connections, in ms. */
  backendsMs: number;
  /** CPU of Postgres's background processes (shared by every database user on the machine), in ms. */
  backgroundMs: number;
  /** Backends seen serving the watched processes. */
  backends: number;
}

/**
 * Follows the CPU Postgres spends for some client processes: their connections' backends, found by
 * matching the clients' local ports with pg_stat_activity.client_port every second (pools open and
 * close connections), plus Postgres's background processes. A backend that started after the watch
 * began counts whole; one seen already running counts from when it was first seen.
 */
export function watchPostgres(pool: pg.Pool, clients: () => number[]): { stop(): Promise<PostgresCpu> } {
  const started = new Date();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const background = new Set<number>();
  const sample = async () => {
    const ports = clients().flatMap(localPorts);
    const { rows } = await pool.query<{ pid: number; fresh: boolean }>(
      `SELECT pid, backend_start >= $2 AS fresh FROM pg_stat_activity WHERE client_port = ANY($1::int[])`,
      [ports, started],
    );
    for (const { pid, fresh } of rows) {
      const cpu = processCpuMs(pid);
      if (!first.has(pid)) first.set(pid, fresh ? 0 : cpu);
      if (cpu > 0) last.set(pid, cpu);
    }
    const { rows: own } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const postmaster = parentPid(own[0]!.pid);
    if (postmaster !== undefined) for (const pid of backgroundPids(postmaster)) background.add(pid);
    for (const pid of background) {
      const cpu = processCpuMs(pid);
      if (!first.has(pid)) first.set(pid, cpu);
      if (cpu > 0) last.set(pid, cpu);
    }
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      // Postgres may be restarting (the fault bench): a missed sample costs at most a second of a backend.
      await sample().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  const total = (pids: Iterable<number>) => {
    let ms = 0;
    for (const pid of pids) ms += Math.max(0, (last.get(pid) ?? first.get(pid)!) - first.get(pid)!);
    return Math.round(ms);
  };
  return {
    async stop() {
      await sample().catch(() => {});
      stopped = true;
      await loop;
      const backends = [...first.keys()].filter((pid) => !background.has(pid));
      return { backendsMs: total(backends), backgroundMs: total(background), backends: backends.length };
    },
  };
}
