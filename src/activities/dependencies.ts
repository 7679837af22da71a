import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { BulkLoad } from '../db/rows';
import type { AlertSettings } from '../alerts/settings';
import type { SyncMetrics } from '../observability/metrics';
import type { StreamSettings } from '../streams/contract';
import type { SourceClients } from '../temporal/sources';

/** What the activities work with, given to them (never reached as globals): tests hand in real ones. */
export interface SyncDependencies {
  pool: pg.Pool;
  schema: string;
  /** The identity of (pool, schema), from the installation table: runs planned here carry it. */
  destination: string;
  /** The source namespaces and their clients, one per connection. */
  sources: SourceClients;
  /** A client of the namespace the sync workflows run in, to ask how runs ended. */
  workerClient?: Client | undefined;
  /** Values removed from every error message the activities return. */
  secrets: readonly string[];
  /** Visibility calls per second for a run that names no budget of its own. */
  visibilityRps: number;
  streamSettings: StreamSettings;
  /** How pages are loaded into the writer's staging table (default COPY). */
  bulkLoad?: BulkLoad | undefined;
  /** Webhook, staleness window and links for alerts; without it incidents are recorded and nothing is sent. */
  alerts?: AlertSettings | undefined;
  /** Where pages, rows and pass durations are counted (the worker's Prometheus registry). */
  metrics?: SyncMetrics | undefined;
  /**
   * Aborted when the worker starts shutting down: a running chunk then stops at the next page
   * boundary and hands back to the workflow, which continues on another worker.
   */
  draining?: AbortSignal | undefined;
}
