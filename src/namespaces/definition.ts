import { z } from 'zod';
import { hostPortProblem } from '../config-fields';
import { parseCron } from '../schedules/cron';

/** The name of an environment variable that holds a secret: the definition never holds one itself. */
const variableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable (which holds the value)');

const hostPort = z.string().superRefine((text, context) => {
  const problem = hostPortProblem(text);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

const cron = z.string().superRefine((text, context) => {
  const parsed = parseCron(text);
  if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.problem });
});

/** A codec server (the remote codec protocol of the Web UI and the CLI): POST <endpoint>/decode. */
const codecSchema = z
  .object({
    endpoint: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    /** The variable holding the Authorization header's value, if the codec server wants one. */
    authEnv: variableName.optional(),
  })
  .strict();

/**
 * A Temporal connection by Temporal's own conventions: an address with an API key or mTLS files, or a
 * profile of the Temporal config file (TEMPORAL_CONFIG_FILE). Secrets are named, never written here.
 */
export const connectionSchema = z
  .object({
    address: hostPort.optional(),
    /** A profile of the Temporal config file; the fields here are laid over it. */
    profile: z.string().min(1).optional(),
    /** The variable holding the API key (Temporal Cloud); an API key turns TLS on. */
    apiKeyEnv: variableName.optional(),
    tls: z
      .object({
        clientCertFile: z.string().min(1).optional(),
        clientKeyFile: z.string().min(1).optional(),
        serverCaFile: z.string().min(1).optional(),
        serverName: z.string().min(1).optional(),
        disabled: z.boolean().optional(),
      })
      .strict()
      .optional(),
    codec: codecSchema.optional(),
  })
  .strict()
  .refine((c) => c.address !== undefined || c.profile !== undefined, 'needs an address or a profile');

/** What a namespace may set for itself; unset falls back to the worker's settings and the built-in schedules. */
const overridesShape = {
  /** Cron expressions of the namespace's incremental and full syncs (the built-in schedules otherwise). */
  schedules: z.object({ incremental: cron.optional(), full: cron.optional() }).strict().optional(),
  pageSize: z.number().int().min(1).max(1000).optional(),
  visibilityRps: z.number().int().min(1).max(1000).optional(),
  partitions: z.number().int().min(1).max(64).optional(),
  codec: codecSchema.optional(),
};

/** A connection given in place, or the name of one under `connections`; unset: the worker's source connection. */
const connectionRef = z.union([z.string().min(1), connectionSchema]).optional();

const namespaceEntrySchema = z
  .object({ namespace: z.string().min(1), connection: connectionRef, ...overridesShape })
  .strict();

/** Every namespace a connection lists (ListNamespaces: self-hosted clusters), chosen by glob patterns. */
const allEntrySchema = z
  .object({
    all: z.literal(true),
    connection: connectionRef,
    /** Globs (* and ?) a namespace must match one of; unset: all. */
    include: z.array(z.string().min(1)).optional(),
    exclude: z.array(z.string().min(1)).optional(),
    ...overridesShape,
  })
  .strict();

export const namespacesFileSchema = z
  .object({
    connections: z
      .record(z.string().regex(/^[\w.-]+$/, 'a connection name: letters, digits, _ . -'), connectionSchema)
      .optional(),
    namespaces: z.array(z.union([namespaceEntrySchema, allEntrySchema])).min(1, 'must list at least one namespace'),
  })
  .strict();

export type ConnectionDefinition = z.output<typeof connectionSchema>;
export type NamespacesFile = z.output<typeof namespacesFileSchema>;
export type NamespaceEntry = z.output<typeof namespaceEntrySchema>;
export type AllEntry = z.output<typeof allEntrySchema>;
export type NamespaceOverrides = Pick<NamespaceEntry, 'schedules' | 'pageSize' | 'visibilityRps' | 'partitions'>;
export type CodecDefinition = z.output<typeof codecSchema>;
