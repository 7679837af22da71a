import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the sync's activities report; given to them as a dependency, never reached as a global. */
export interface SyncMetrics {
  pageWritten(stream: string, rows: number): void;
  passCompleted(stream: string, full: boolean, seconds: number): void;
}

export const noMetrics: SyncMetrics = { pageWritten() {}, passCompleted() {} };

export interface StreamLag {
  stream: string;
  seconds: number;
}

/** The sync's own metric names, one place for the code, the README and the tests. */
export const SYNC_METRIC_NAMES = {
  rows: 'temporal_sync_rows_upserted_total',
  pages: 'temporal_sync_pages_total',
  passDuration: 'temporal_sync_pass_duration_seconds',
  lag: 'temporal_sync_lag_seconds',
} as const;

export interface SyncMetricsRegistry {
  registry: Registry;
  recorder: SyncMetrics;
}

/**
 * The process's Prometheus registry: Node's process metrics (memory, CPU, event-loop lag) and the
 * sync's own. The lag is read from sync_state at scrape time, so every replica reports the same
 * truth whichever of them ran the last pass.
 */
export function createSyncMetrics(readLag: () => Promise<StreamLag[]>): SyncMetricsRegistry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const rows = new Counter({
    name: SYNC_METRIC_NAMES.rows,
    help: 'Rows written (inserted or updated) into the destination tables',
    labelNames: ['stream'],
    registers: [registry],
  });
  const pages = new Counter({
    name: SYNC_METRIC_NAMES.pages,
    help: 'Pages read from the source and written to the destination',
    labelNames: ['stream'],
    registers: [registry],
  });
  const passDuration = new Histogram({
    name: SYNC_METRIC_NAMES.passDuration,
    help: 'Seconds from the start of a sync run to the completion of a stream pass',
    labelNames: ['stream', 'full'],
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
    registers: [registry],
  });
  new Gauge({
    name: SYNC_METRIC_NAMES.lag,
    help:
      'Seconds since the start of the last complete pass (the cursor): every execution that closed ' +
      'before then is in the table. Grows between syncs; alert when it exceeds your schedule interval.',
    labelNames: ['stream'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { stream, seconds } of await readLag()) this.set({ stream }, seconds);
    },
  });
  return {
    registry,
    recorder: {
      pageWritten(stream, count) {
        pages.inc({ stream });
        rows.inc({ stream }, count);
      },
      passCompleted(stream, full, seconds) {
        passDuration.observe({ stream, full: String(full) }, seconds);
      },
    },
  };
}
