import type { Client } from '@temporalio/client';

/**
 * The namespaces a worker syncs and a client for each: the activities ask for the namespace of the run
 * at hand. A namespace it does not know is a bad input, not something to retry.
 */
export interface SourceClients {
  /** The namespace synced when a run names none. */
  readonly defaultNamespace: string;
  knows(namespace: string): boolean;
  /** Which namespaces it knows, for error messages. */
  describe(): string;
  clientFor(namespace: string): Promise<Client>;
  close(): Promise<void>;
}

/** One namespace through one client: the single-namespace deployment. */
export function singleSource(
  namespace: string,
  client: Client,
  close: () => Promise<void> = async () => {},
): SourceClients {
  return {
    defaultNamespace: namespace,
    knows: (candidate) => candidate === namespace,
    describe: () => `it syncs "${namespace}"`,
    clientFor: () => Promise.resolve(client),
    close,
  };
}
