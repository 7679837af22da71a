import { Client, Connection } from '@temporalio/client';
import { lenientDecodingCodec } from '../source/lenient-codec';
import { createRemoteCodec, type RemoteCodec } from '../source/remote-codec';
import type { AllSetup, NamespaceSetup, SourceNamespaces } from '../namespaces/load';
import { GrpcStatus, grpcCode } from '../source/grpc';
import { firstLine } from './cli-client';
import { sourceRetries } from './connect';

/**
 * An `all` entry whose connection did not answer ListNamespaces. Its namespaces are unknown at this
 * moment, not gone: nothing may treat them as removed from the definition.
 */
export interface UnlistedConnection {
  /** One line: the entry, what failed and the setting to check; never a secret. */
  problem: string;
  /** The namespaces it listed last time it answered, in this process; empty when it never did. */
  lastListed: string[];
}

export interface NamespaceList {
  /** The explicit namespaces and those the `all` entries listed now. */
  namespaces: string[];
  unlisted: UnlistedConnection[];
}

/**
 * The namespaces a worker syncs and a client for each connection, made when first needed: the
 * activities ask for the namespace of the run at hand. A namespace it does not know is a bad input.
 */
export interface SourceClients {
  /** The namespace synced when a run names none: the only one, when there is only one. */
  readonly defaultNamespace: string | undefined;
  /** How the namespace is read (its connection, overrides, codec); undefined when this deployment does not sync it. */
  setupFor(namespace: string): Promise<NamespaceSetup | undefined>;
  /** Which namespaces it syncs, for error messages. */
  describe(): string;
  clientFor(namespace: string): Promise<Client>;
  codecFor(namespace: string): RemoteCodec | undefined;
  /** Every namespace it syncs now (explicit ones, and those its `all` entries list), and the `all` entries that did not answer. */
  namespaces(): Promise<NamespaceList>;
  close(): Promise<void>;
}

/** One namespace through one client: tests, and code that already holds a client. */
export function singleSource(
  namespace: string,
  client: Client,
  close: () => Promise<void> = async () => {},
): SourceClients {
  const setup: NamespaceSetup = {
    namespace,
    connection: 'default',
    overrides: {},
    codec: undefined,
    origin: 'the worker',
  };
  return {
    defaultNamespace: namespace,
    setupFor: (candidate) => Promise.resolve(candidate === namespace ? setup : undefined),
    describe: () => `it syncs "${namespace}"`,
    clientFor: () => Promise.resolve(client),
    codecFor: () => undefined,
    namespaces: () => Promise.resolve({ namespaces: [namespace], unlisted: [] }),
    close,
  };
}

/** `*` and `?` of a namespace pattern, anchored. */
function globMatcher(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export const chosenBy = (setup: AllSetup) => (namespace: string) =>
  (setup.include === undefined || setup.include.some((p) => globMatcher(p).test(namespace))) &&
  !(setup.exclude ?? []).some((p) => globMatcher(p).test(namespace));

/** How long a connection's namespace list is reused before it is asked again. */
const LIST_TTL_MS = 60_000;

/**
 * The clients of a namespaces definition: one Connection per connection, made on first use (a
 * connection that fails is tried again next time, and holds up no other namespace), the lists of
 * `all` entries from ListNamespaces, refreshed every minute, and each namespace's codec server.
 */
class DefinedSources implements SourceClients {
  readonly defaultNamespace: string | undefined;
  private readonly clients = new Map<string, Promise<Client>>();
  private readonly lists = new Map<AllSetup, { at: number; names: string[] }>();
  private readonly codecs = new Map<string, RemoteCodec>();

  constructor(
    private readonly definition: SourceNamespaces,
    connected: Record<string, Client>,
    private readonly env: NodeJS.ProcessEnv,
    private readonly connectTimeoutMs: number | undefined,
  ) {
    const { explicit, all } = definition;
    this.defaultNamespace = all.length === 0 && explicit.length === 1 ? explicit[0]!.namespace : undefined;
    for (const [name, client] of Object.entries(connected)) this.clients.set(name, Promise.resolve(client));
  }

  async setupFor(namespace: string): Promise<NamespaceSetup | undefined> {
    const explicit = this.definition.explicit.find((setup) => setup.namespace === namespace);
    if (explicit) return explicit;
    for (const setup of this.definition.all) {
      if (chosenBy(setup)(namespace) && (await this.listed(setup)).includes(namespace)) return { ...setup, namespace };
    }
    return undefined;
  }

  describe(): string {
    return describeDefinition(this.definition);
  }

  async clientFor(namespace: string): Promise<Client> {
    const setup = await this.setupFor(namespace);
    if (!setup) throw new Error(`namespace "${namespace}" is not one this worker syncs`);
    return this.connect(setup.connection);
  }

  codecFor(namespace: string): RemoteCodec | undefined {
    const { explicit, all } = this.definition;
    const setup = explicit.find((s) => s.namespace === namespace) ?? all.find((s) => chosenBy(s)(namespace));
    if (!setup?.codec) return undefined;
    let codec = this.codecs.get(namespace);
    if (!codec) {
      const authorization = setup.codec.authEnv === undefined ? undefined : this.env[setup.codec.authEnv];
      codec = createRemoteCodec({ endpoint: setup.codec.endpoint, authorization, namespace });
      this.codecs.set(namespace, codec);
    }
    return codec;
  }

  async namespaces(): Promise<NamespaceList> {
    const unlisted: UnlistedConnection[] = [];
    const fromAll = await Promise.all(
      this.definition.all.map((setup) =>
        this.listed(setup).catch((error: unknown) => {
          unlisted.push({
            problem: this.listingProblem(setup, error),
            lastListed: this.lists.get(setup)?.names ?? [],
          });
          return [];
        }),
      ),
    );
    const namespaces = [...new Set([...this.definition.explicit.map((s) => s.namespace), ...fromAll.flat()])];
    return { namespaces, unlisted };
  }

  async close(): Promise<void> {
    const open = await Promise.allSettled([...this.clients.values()]);
    const closing = open.flatMap((result) => (result.status === 'fulfilled' ? [result.value.connection.close()] : []));
    await Promise.all(closing);
  }

  /** The setting to look at by what failed: the key or TLS when refused, else the address. */
  private listingProblem(setup: AllSetup, error: unknown): string {
    const { address, hints } = this.definition.connections.get(setup.connection)!.temporal;
    const code = grpcCode(error);
    const check =
      code === GrpcStatus.PERMISSION_DENIED || code === GrpcStatus.UNAUTHENTICATED
        ? `${hints.apiKey} or ${hints.tls}`
        : hints.address;
    return `${setup.origin}: connection "${setup.connection}" at ${address} did not list its namespaces (${firstLine(error)}): check ${check}`;
  }

  private connect(name: string): Promise<Client> {
    let client = this.clients.get(name);
    if (!client) {
      const { temporal } = this.definition.connections.get(name)!;
      client = Connection.connect({
        ...temporal.connectionOptions,
        ...(this.connectTimeoutMs === undefined ? {} : { connectTimeout: this.connectTimeoutMs }),
        interceptors: [sourceRetries()],
      }).then((connection) => new Client({ connection, dataConverter: { payloadCodecs: [lenientDecodingCodec] } }));
      this.clients.set(name, client);
      client.catch(() => this.clients.delete(name));
    }
    return client;
  }

  private async listed(setup: AllSetup): Promise<string[]> {
    const cached = this.lists.get(setup);
    if (cached && Date.now() - cached.at < LIST_TTL_MS) return cached.names;
    const client = await this.connect(setup.connection);
    const names: string[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.listNamespaces({ pageSize: 100, nextPageToken });
      names.push(...page.namespaces.flatMap((ns) => ns.namespaceInfo?.name ?? []).filter(chosenBy(setup)));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    this.lists.set(setup, { at: Date.now(), names });
    return names;
  }
}

export function createSourceClients(
  definition: SourceNamespaces,
  options: {
    connected?: Record<string, Client>;
    env?: NodeJS.ProcessEnv;
    /** How long a connection may take to answer first; the SDK's 10 s when not given (a command wants less). */
    connectTimeoutMs?: number;
  } = {},
): SourceClients {
  return new DefinedSources(definition, options.connected ?? {}, options.env ?? process.env, options.connectTimeoutMs);
}

export function describeDefinition(definition: SourceNamespaces): string {
  const names = definition.explicit.map((s) => `"${s.namespace}"`);
  const all = definition.all.map(
    (s) => `every namespace of connection ${s.connection}${s.include ? ` matching ${s.include.join(' or ')}` : ''}`,
  );
  return `it syncs ${[...names, ...all].join(', ')}`;
}
