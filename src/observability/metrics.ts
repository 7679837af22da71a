import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the activities report; given to them as a dependency, never reached as a global. */
export interface SyncMetrics {
  pageWritten(stream: string, namespace: string, rows: number): void;
  passCompleted(stream: string, namespace: string, full: boolean, seconds: number): void;
  /** The source answered RESOURCE_EXHAUSTED: the run slowed down and tried again. */
  visibilityThrottled(namespace: string): void;
  /** Payloads the namespace's codec server did not decode (kept raw). */
  codecFailed(namespace: string, payloads: number): void;
}

export const noMetrics: SyncMetrics = {
  pageWritten() {},
  passCompleted() {},
  visibilityThrottled() {},
  codecFailed() {},
};

export interface StreamLag {
  namespace: string;
  stream: string;
  seconds: number;
}

/** The sync's own metric names, one place for the code, the docs and the tests. */
export const SYNC_METRIC_NAMES = {
  rows: 'temporal_sync_rows_upserted_total',
  pages: 'temporal_sync_pages_total',
  passDuration: 'temporal_sync_pass_duration_seconds',
  lag: 'temporal_sync_lag_seconds',
  throttled: 'temporal_sync_visibility_throttled_total',
  codecFailed: 'temporal_sync_codec_undecoded_payloads_total',
} as const;

export interface SyncMetricsRegistry {
  registry: Registry;
  recorder: SyncMetrics;
}

/**
 * The process's Prometheus registry: Node's process metrics (memory, CPU, event-loop lag) and the
 * sync's own, each labelled by namespace. The lag is read from sync_state at scrape time, so every
 * replica reports the same truth whichever of them ran the last pass.
 */
export function createSyncMetrics(readLag: () => Promise<StreamLag[]>): SyncMetricsRegistry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const rows = counter(SYNC_METRIC_NAMES.rows, 'Rows written (inserted or updated) into the destination tables', [
    'namespace',
    'stream',
  ]);
  const pages = counter(SYNC_METRIC_NAMES.pages, 'Pages read from the source and written to the destination', [
    'namespace',
    'stream',
  ]);
  const throttled = counter(
    SYNC_METRIC_NAMES.throttled,
    'Visibility calls the source answered RESOURCE_EXHAUSTED (retried after a backoff)',
    ['namespace'],
  );
  const undecoded = counter(SYNC_METRIC_NAMES.codecFailed, 'Payloads a codec server did not decode: stored raw', [
    'namespace',
  ]);
  const passDuration = new Histogram({
    name: SYNC_METRIC_NAMES.passDuration,
    help: 'Seconds from the start of a sync run to the completion of a stream pass',
    labelNames: ['namespace', 'stream', 'full'],
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
    registers: [registry],
  });
  new Gauge({
    name: SYNC_METRIC_NAMES.lag,
    help:
      'Seconds since the start of the last complete pass (the cursor): every execution that closed ' +
      'before then is in the table. Grows between syncs; alert when it exceeds your schedule interval.',
    labelNames: ['namespace', 'stream'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { namespace, stream, seconds } of await readLag()) this.set({ namespace, stream }, seconds);
    },
  });
  return {
    registry,
    recorder: {
      pageWritten(stream, namespace, count) {
        pages.inc({ namespace, stream });
        rows.inc({ namespace, stream }, count);
      },
      passCompleted(stream, namespace, full, seconds) {
        passDuration.observe({ namespace, stream, full: String(full) }, seconds);
      },
      visibilityThrottled(namespace) {
        throttled.inc({ namespace });
      },
      codecFailed(namespace, payloads) {
        undecoded.inc({ namespace }, payloads);
      },
    },
  };
}
