import type { Config } from '../config';

/** What the alert activities need from the configuration; the webhook URL never leaves the worker. */
export interface AlertSettings {
  webhookUrl: string | undefined;
  format: 'json' | 'slack';
  stalenessSeconds: number;
  webUiUrl: string | undefined;
  /** The namespace SyncWorkflow runs in, for links to its runs. */
  workerNamespace: string;
  /** How long one webhook request may take before the attempt is given up and retried. */
  httpTimeoutMs: number;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  webhookUrl: undefined,
  format: 'json',
  stalenessSeconds: 7200,
  webUiUrl: undefined,
  workerNamespace: 'default',
  httpTimeoutMs: 10_000,
};

export function alertSettings(config: Config): AlertSettings {
  return { ...DEFAULT_ALERT_SETTINGS, ...config.alerts, workerNamespace: config.workerNamespace };
}
