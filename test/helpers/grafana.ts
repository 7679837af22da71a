/**
 * What Grafana does to a PostgreSQL panel's SQL before the database sees it, written out so the
 * tests can run the dashboard's queries without a Grafana. Three passes, in Grafana's order:
 *
 * 1. The browser replaces template variables (templateSrv.replace with the SQL data source's
 *    interpolateVariable as the default format). Sources: grafana/grafana
 *    public/app/features/templating/template_srv.ts (_evaluateVariableExpression, getAllValue),
 *    public/app/features/variables/utils.ts (variableRegex), SqlDatasource.ts (interpolateVariable:
 *    a multi-value or include-All variable's values are each quoted as SQL literals, doubling
 *    quotes, and joined with commas; a single-value variable's value is inserted with its quotes
 *    doubled and no quotes around it), formatRegistry.ts (csv, sqlstring, raw, ...). Docs:
 *    https://grafana.com/docs/grafana/latest/datasources/postgres/template-variables/ and
 *    https://grafana.com/docs/grafana/latest/dashboards/variables/variable-syntax/ (the All value:
 *    every option's value, unless the variable sets a custom all value, inserted unformatted).
 * 2. The backend's global substitutions: $__interval_ms, $__interval, $__unixEpochFrom(),
 *    $__unixEpochTo() (pkg/tsdb/grafana-postgresql-datasource/sqleng/sql_engine.go, Interpolate).
 * 3. The PostgreSQL macro engine (pkg/tsdb/grafana-postgresql-datasource/macros.go): $__time,
 *    $__timeEpoch, $__timeFilter, $__timeFrom, $__timeTo, $__timeGroup, $__timeGroupAlias,
 *    $__unixEpoch* as the query editor docs list them
 *    (https://grafana.com/docs/grafana/latest/datasources/postgres/query-editor/, "Macros"), e.g.
 *    $__timeFilter(col) -> col BETWEEN '2017-04-21T05:01:17Z' AND '2017-04-21T05:06:17Z' and
 *    $__timeGroup(col,'5m') -> floor(extract(epoch from col)/300)*300. An unknown macro is an error.
 *
 * Not emulated, and refused rather than guessed: a fill argument to $__timeGroup (Grafana fills
 * missing points after the query), interval units of months and years, TimescaleDB's time_bucket.
 */

export interface GrafanaVariable {
  name: string;
  /** What is selected: one value, several, or ['$__all']. */
  current: string | string[];
  multi: boolean;
  includeAll: boolean;
  /** The values the variable's own query returned (the All option not among them). */
  options: string[];
  allValue?: string;
}

export interface GrafanaContext {
  variables: GrafanaVariable[];
  from: Date;
  to: Date;
  intervalMs: number;
}

const ALL = '$__all';
/** public/app/features/variables/utils.ts */
const VARIABLE_REGEX = /\$(\w+)|\[\[([\s\S]+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
/** pkg/tsdb/grafana-postgresql-datasource/macros.go: sExpr */
const MACRO_REGEX = /\$([_a-zA-Z0-9]+)\(([^)]*)\)/g;

const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** SqlDatasource.interpolateVariable: the default format of SQL data sources. */
function sqlDefaultFormat(
  value: string | string[] | number,
  variable: { multi: boolean; includeAll: boolean },
): string {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(quoteLiteral).join(',');
  return variable.multi || variable.includeAll ? quoteLiteral(value) : value.replaceAll("'", "''");
}

/** formatRegistry.ts, the formats a SQL dashboard plausibly names; any other is refused. */
function namedFormat(format: string, value: string | string[]): string {
  const values = Array.isArray(value) ? value : [value];
  switch (format) {
    case 'csv':
      return values.join(',');
    case 'raw':
      return Array.isArray(value) ? value.join(',') : value;
    case 'sqlstring':
      return values.map(quoteLiteral).join(',');
    case 'singlequote':
      return values.map((v) => `'${v.replaceAll("'", "\\'")}'`).join(',');
    case 'doublequote':
      return values.map((v) => `"${v.replaceAll('"', '\\"')}"`).join(',');
    case 'pipe':
      return values.join('|');
    default:
      throw new Error(`variable format ${format} is not emulated`);
  }
}

/** Go's gtime.FormatInterval: the whole number of the largest unit that fits (truncating). */
export function formatInterval(ms: number): string {
  const units: Array<[string, number]> = [
    ['y', 365 * 86_400_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  for (const [unit, size] of units) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return '1ms';
}

/** Pass 1: template variables and the built-ins $__interval, $__interval_ms, $__from, $__to. */
export function interpolateVariables(sql: string, context: GrafanaContext): string {
  const scoped: Record<string, string | number> = {
    __interval: formatInterval(context.intervalMs),
    __interval_ms: context.intervalMs,
    __from: String(context.from.getTime()),
    __to: String(context.to.getTime()),
  };
  return sql.replace(
    VARIABLE_REGEX,
    (match, var1?: string, var2?: string, fmt2?: string, var3?: string, fieldPath?: string, fmt3?: string) => {
      const name = (var1 ?? var2 ?? var3)!;
      const format = fmt2 ?? fmt3;
      if (fieldPath !== undefined) throw new Error(`field paths (${match}) are not emulated`);
      const builtin = scoped[name];
      if (builtin !== undefined) {
        return format
          ? namedFormat(format, String(builtin))
          : sqlDefaultFormat(builtin, { multi: false, includeAll: false });
      }
      const variable = context.variables.find((v) => v.name === name);
      if (!variable) return match;
      let value = variable.current;
      if (value === ALL || (Array.isArray(value) && value[0] === ALL)) {
        if (variable.allValue !== undefined) return variable.allValue;
        value = variable.options;
      }
      return format ? namedFormat(format, value) : sqlDefaultFormat(value, variable);
    },
  );
}

/** Go's %v of a float64 (how macros.go prints interval seconds): %g, shortest digits, exponent form from 1e+06. */
export function goFloat(value: number): string {
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}

/** Go's time.RFC3339Nano of a UTC time: trailing zeros of the fraction dropped, and the dot with them. */
export function rfc3339Nano(time: Date): string {
  return time.toISOString().replace(/\.?0*Z$/, 'Z');
}

/** gtime.ParseInterval for the units a dashboard here uses; months and years depend on the calendar. */
export function parseInterval(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text);
  if (!match) throw new Error(`error parsing interval ${text}`);
  const size = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'ms'];
  return Number(match[1]) * size;
}

function evaluateMacro(name: string, args: string[], context: GrafanaContext): string {
  const from = rfc3339Nano(context.from);
  const to = rfc3339Nano(context.to);
  switch (name) {
    case '__time':
      return `${args[0]} AS "time"`;
    case '__timeEpoch':
      return `extract(epoch from ${args[0]}) as "time"`;
    case '__timeFilter':
      return `${args[0]} BETWEEN '${from}' AND '${to}'`;
    case '__timeFrom':
      return `'${from}'`;
    case '__timeTo':
      return `'${to}'`;
    case '__timeGroup': {
      if (args.length < 2) throw new Error(`macro ${name} needs time column and interval and optional fill value`);
      if (args.length === 3) throw new Error('the fill argument of $__timeGroup is not emulated');
      const seconds = goFloat(parseInterval(args[1]!.replace(/^'+|'+$/g, '')) / 1000);
      return `floor(extract(epoch from ${args[0]})/${seconds})*${seconds}`;
    }
    case '__timeGroupAlias':
      return `${evaluateMacro('__timeGroup', args, context)} AS "time"`;
    case '__unixEpochFilter': {
      const [fromS, toS] = [Math.floor(context.from.getTime() / 1000), Math.floor(context.to.getTime() / 1000)];
      return `${args[0]} >= ${fromS} AND ${args[0]} <= ${toS}`;
    }
    default:
      throw new Error(`unknown macro "${name}"`);
  }
}

/** Passes 2 and 3: what the backend does to the SQL the browser sent. */
export function interpolateBackend(sql: string, context: GrafanaContext): string {
  const global = sql
    .replaceAll('$__interval_ms', String(context.intervalMs))
    .replaceAll('$__interval', formatInterval(context.intervalMs))
    .replaceAll('$__unixEpochFrom()', String(Math.floor(context.from.getTime() / 1000)))
    .replaceAll('$__unixEpochTo()', String(Math.floor(context.to.getTime() / 1000)));
  return global.replace(MACRO_REGEX, (whole: string, name: string, argText: string) => {
    let macro = name;
    // Grafana before 5.3 added AS "time" itself when a comma follows $__timeGroup(...); it still does.
    if (macro === '__timeGroup') {
      const index = global.indexOf(whole) + whole.length;
      if (global[index] === ',') macro = '__timeGroupAlias';
    }
    const args = argText.split(',').map((arg) => arg.replace(/^ +| +$/g, ''));
    return evaluateMacro(macro, args, context);
  });
}

/** The SQL the database receives for a panel target or a variable query. */
export function expandGrafanaSql(sql: string, context: GrafanaContext): string {
  return interpolateBackend(interpolateVariables(sql, context), context);
}
