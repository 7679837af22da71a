import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import YAML from 'yaml';
import { z } from 'zod';
import { expandGrafanaSql, type GrafanaContext, type GrafanaVariable } from './grafana';

export const GRAFANA_DIR = path.resolve(__dirname, '../../deploy/grafana');

const datasourceRef = z.object({ type: z.string(), uid: z.string() });

/** The parts of a dashboard JSON the tests read; Grafana's own schema has many more, all optional. */
const dashboardSchema = z.object({
  uid: z.string().min(1),
  title: z.string().min(1),
  schemaVersion: z.number().int(),
  time: z.object({ from: z.string(), to: z.string() }),
  templating: z.object({
    list: z.array(
      z.object({
        type: z.enum(['constant', 'query', 'custom', 'textbox']),
        name: z.string(),
        query: z.string(),
        datasource: datasourceRef.optional(),
        multi: z.boolean().optional(),
        includeAll: z.boolean().optional(),
        allValue: z.string().optional(),
        refresh: z.number().optional(),
      }),
    ),
  }),
  panels: z.array(
    z.object({
      id: z.number().int(),
      type: z.string(),
      title: z.string(),
      gridPos: z.object({ h: z.number(), w: z.number(), x: z.number(), y: z.number() }),
      datasource: datasourceRef,
      interval: z.string().optional(),
      targets: z
        .array(
          z.object({
            refId: z.string(),
            datasource: datasourceRef,
            format: z.enum(['table', 'time_series']),
            rawQuery: z.literal(true),
            rawSql: z.string().min(1),
          }),
        )
        .length(1),
    }),
  ),
});

export type Dashboard = z.infer<typeof dashboardSchema>;

/** The provisioning files, as far as the tests rely on them. */
const datasourcesSchema = z.object({
  apiVersion: z.literal(1),
  datasources: z
    .array(
      z.object({
        name: z.string(),
        uid: z.string(),
        type: z.string(),
        url: z.string(),
        user: z.string(),
        jsonData: z.object({ database: z.string(), sslmode: z.string() }),
        secureJsonData: z.object({ password: z.string() }),
      }),
    )
    .length(1),
});
const providersSchema = z.object({
  apiVersion: z.literal(1),
  providers: z
    .array(z.object({ name: z.string(), type: z.literal('file'), options: z.object({ path: z.string() }) }))
    .length(1),
});

export function loadProvisioning() {
  const read = (file: string): unknown =>
    YAML.parse(readFileSync(path.join(GRAFANA_DIR, 'provisioning', file), 'utf8'));
  return {
    datasource: datasourcesSchema.parse(read('datasources/temporal-sync.yaml')).datasources[0]!,
    provider: providersSchema.parse(read('dashboards/temporal-sync.yaml')).providers[0]!,
  };
}
export type Panel = Dashboard['panels'][number];

export function loadDashboard(): Dashboard {
  const text = readFileSync(path.join(GRAFANA_DIR, 'dashboards/temporal-sync.json'), 'utf8');
  return dashboardSchema.parse(JSON.parse(text));
}

export interface Selection {
  /** Per variable name: the values picked, or 'All'. Variables not named keep their dashboard default. */
  [name: string]: string[] | 'All';
}

export interface Range {
  from: Date;
  to: Date;
  intervalMs: number;
}

/** pg returns int8 and numeric as strings (they can exceed a double); Grafana turns them into numbers. */
function normalise(result: pg.QueryResult): Array<Record<string, unknown>> {
  const numeric = new Set(result.fields.filter((f) => f.dataTypeID === 20 || f.dataTypeID === 1700).map((f) => f.name));
  return result.rows.map((row: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [key, numeric.has(key) && value !== null ? Number(value) : value]),
    ),
  );
}

export async function runGrafanaSql(pool: pg.Pool, sql: string, context: GrafanaContext) {
  const expanded = expandGrafanaSql(sql, context);
  try {
    const result = await pool.query(expanded);
    return { rows: normalise(result), columns: result.fields.map((f) => f.name), sql: expanded };
  } catch (error) {
    throw new Error(`${(error as Error).message}\nin SQL:\n${expanded}`, { cause: error });
  }
}

/**
 * The variables as Grafana resolves them on load: in dashboard order, each query variable's query
 * runs with the variables before it already chosen, its rows become its options, then the selection
 * (or its default, All) applies. The schema constant is pointed at the test's schema.
 */
export async function resolveVariables(
  pool: pg.Pool,
  dashboard: Dashboard,
  schema: string,
  selection: Selection,
  range: Range,
): Promise<GrafanaContext> {
  const context: GrafanaContext = { variables: [], ...range };
  for (const variable of dashboard.templating.list) {
    const resolved: GrafanaVariable = {
      name: variable.name,
      current: variable.query,
      multi: variable.multi ?? false,
      includeAll: variable.includeAll ?? false,
      options: [],
      ...(variable.allValue !== undefined ? { allValue: variable.allValue } : {}),
    };
    if (variable.type === 'constant') resolved.current = variable.name === 'schema' ? schema : variable.query;
    if (variable.type === 'query') {
      const { rows, columns } = await runGrafanaSql(pool, variable.query, context);
      resolved.options = [...new Set(rows.map((row) => String(row[columns[0]!])))];
      const picked = selection[variable.name] ?? 'All';
      resolved.current = picked === 'All' ? ['$__all'] : picked;
    }
    context.variables.push(resolved);
  }
  return context;
}
