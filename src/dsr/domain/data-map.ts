// The data-system definition format: which company data store holds personal data, who owns it, and (for
// `postgres`) the declarative map the connector executes DSRs with. Parsed from YAML or JSON, checked with
// zod for shape and then for the rules between fields (join parents, cycles, seed placeholders), and every
// problem reported as a field path like `postgres.tables[2].export[1]` (with the YAML line when known).
//
// Secrets (`postgres.url`, `http.token`) belong to the definition but are stored apart from it (encrypted)
// and never exported: `parseDataSystem(input, { secretsSupplied: true })` accepts a definition without
// them (the shipped controls/data-systems/*.yaml, a stored definition, an edited YAML export), and
// `separateSecrets` / `withSecrets` move them between the two places. Without the flag they are required.
//
// Whether the identifiers exist in the real database is checked by the connector (PostgresConnector.check),
// which reports problems with the same field paths.
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, stringify, visit } from 'yaml';
import { z } from 'zod';
import { FieldProblem, ValidationError } from '../../common/errors/app-error';
import { NUL_CHARACTER_MESSAGE, nulCharacterPaths } from '../../common/text/nul-characters';

/** The code of every ValidationError about a data map (shape, rules, or identifiers unknown to the database). */
export const DATA_MAP_INVALID = 'dsr.data_map_invalid';
export const MAX_DATA_MAP_BYTES = 256 * 1024;

/** A PostgreSQL identifier the connector will quote: letters, digits and underscores, at most 63. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** A table, optionally schema-qualified. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;
export const SYSTEM_KEY = /^[a-z][a-z0-9-]{1,62}$/;
/** ISO 8601 period in years, months, weeks and days (P5Y, P6M, P10Y6M, P30D). */
export const RETENTION = /^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/;

export const DATA_SYSTEM_KINDS = ['postgres', 'http', 'manual'] as const;
export type DataSystemKind = (typeof DATA_SYSTEM_KINDS)[number];
export const ERASURE_RULES = ['delete', 'anonymise', 'retain'] as const;
/** The SubjectKeys a table can be found by, in the order the connector ORs them. */
export const SUBJECT_KEY_NAMES = ['email', 'phone', 'nationalId'] as const;
export type SubjectKeyName = (typeof SUBJECT_KEY_NAMES)[number];
/** Placeholders a drill seed value may use besides `{{<as>.<column>}}`. */
export const SEED_PLACEHOLDERS = ['email', 'phone', 'nationalId', 'name'] as const;

/** A value written by the connector (always as a bound parameter). */
export type ColumnValue = string | number | boolean | null;

export interface TableJoin {
  /** The mapped table (as written in its `table`) whose found rows own this table's rows. */
  parent: string;
  /** This table's column holding the parent's key. */
  column: string;
  /** The parent's column it refers to. */
  parentColumn: string;
}

/** How a table finds the subject: by identifier columns (any non-empty subset), or through a join. */
export interface TableFind {
  email?: string;
  phone?: string;
  nationalId?: string;
  join?: TableJoin;
}

export type TableErase =
  | { rule: 'delete' }
  | { rule: 'anonymise'; set: Record<string, ColumnValue> }
  | { rule: 'retain'; basis: string; retention: string };

export interface MappedTable {
  /** `table` or `schema.table`. */
  table: string;
  find: TableFind;
  export: string[];
  erase: TableErase;
  /** Columns a rectification may set. */
  rectify?: string[];
  /** The restriction flag(s) a restriction (or an objection's separation) sets. */
  restrict?: Record<string, ColumnValue>;
  /**
   * The values that lift the restriction (a rejected objection): the same columns as `restrict`. Default:
   * each boolean flag negated, any other value NULL.
   */
  unrestrict?: Record<string, ColumnValue>;
}

export interface SeedRow {
  table: string;
  /** Name later rows use in `{{<as>.<column>}}`. */
  as?: string;
  values: Record<string, ColumnValue>;
}

export interface PostgresMap {
  /** Secret: connection URL. Absent when supplied separately. */
  url?: string;
  tables: MappedTable[];
  drill?: { seed: SeedRow[] };
}

export interface HttpMap {
  baseUrl: string;
  /** Secret: bearer token. Absent when supplied separately. */
  token?: string;
  exportPath: string;
  erasePath: string;
  seedPath?: string;
  /** Optional: the service reports residue itself (else the export is run again after erasure). */
  residuePath?: string;
  timeoutMs: number;
  retries: number;
}

export interface ManualMap {
  checklist: string[];
}

export interface DataSystemOwner {
  department: string;
  /** E-mail of the owning user. */
  user?: string;
}

interface DataSystemBase {
  key: string;
  name: string;
  owner: DataSystemOwner;
  description?: string;
}

export type PostgresSystemDefinition = DataSystemBase & { kind: 'postgres'; postgres: PostgresMap };
export type HttpSystemDefinition = DataSystemBase & { kind: 'http'; http: HttpMap };
export type ManualSystemDefinition = DataSystemBase & { kind: 'manual'; manual: ManualMap };
export type DataSystemDefinition = PostgresSystemDefinition | HttpSystemDefinition | ManualSystemDefinition;

export interface DataSystemSecrets {
  url?: string;
  token?: string;
}

export interface ParseDataSystemOptions {
  /** Secrets may be missing from the input because the caller supplies them separately. Default false. */
  secretsSupplied?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Shape

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const identifier = z
  .string()
  .regex(IDENTIFIER, 'must be an identifier (letters, digits, _; at most 63; not starting with a digit)');
const tableName = z.string().regex(TABLE_NAME, 'must be a table name (identifier or schema.identifier)');
const columnValue = z.union(
  [z.string().max(10_000, 'must be at most 10000 characters'), z.number(), z.boolean(), z.null()],
  {
    error: 'must be a string, number, boolean or null',
  },
);
const columnValues = z.record(identifier, columnValue);
const columnList = z
  .array(identifier)
  .min(1, 'must list at least one column')
  .max(200, 'must list at most 200 columns');

const findSchema = z
  .object({
    email: identifier.optional(),
    phone: identifier.optional(),
    nationalId: identifier.optional(),
    join: z.object({ parent: tableName, column: identifier, parentColumn: identifier }).strict().optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const keys = SUBJECT_KEY_NAMES.filter((k) => f[k] !== undefined);
    if (f.join && keys.length)
      ctx.addIssue({ code: 'custom', message: 'must find either by identifier columns or by a join, not both' });
    else if (!f.join && !keys.length)
      ctx.addIssue({ code: 'custom', message: 'must name at least one of email, phone, nationalId, or a join' });
  });

const eraseSchema = z
  .object({
    rule: z.enum(ERASURE_RULES),
    set: columnValues.optional(),
    basis: text(1000).optional(),
    retention: z.string().regex(RETENTION, 'must be an ISO 8601 period such as P5Y, P6M or P10Y6M').optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const need = (field: 'set' | 'basis' | 'retention', message: string) =>
      ctx.addIssue({ code: 'custom', path: [field], message });
    const refuse = (field: 'set' | 'basis' | 'retention') => {
      if (e[field] !== undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `is not used by rule ${e.rule}` });
    };
    if (e.rule === 'anonymise') {
      if (e.set === undefined) need('set', 'is required for rule anonymise (column → replacement)');
      else if (Object.keys(e.set).length === 0) need('set', 'must name at least one column to anonymise');
    } else refuse('set');
    if (e.rule === 'retain') {
      if (e.basis === undefined) need('basis', 'is required for rule retain (the legal basis for keeping the rows)');
      if (e.retention === undefined) need('retention', 'is required for rule retain (an ISO 8601 period such as P5Y)');
    } else {
      refuse('basis');
      refuse('retention');
    }
  });

const tableSchema = z
  .object({
    table: tableName,
    find: findSchema,
    export: columnList,
    erase: eraseSchema,
    rectify: columnList.optional(),
    restrict: columnValues.refine((v) => Object.keys(v).length > 0, 'must name at least one column').optional(),
    unrestrict: columnValues.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (!t.unrestrict) return;
    const want = Object.keys(t.restrict ?? {})
      .sort()
      .join(',');
    if (!t.restrict)
      ctx.addIssue({ code: 'custom', path: ['unrestrict'], message: 'needs restrict (the flags it lifts)' });
    else if (Object.keys(t.unrestrict).sort().join(',') !== want)
      ctx.addIssue({
        code: 'custom',
        path: ['unrestrict'],
        message: `must set the same columns as restrict (${want})`,
      });
  });

const seedRowSchema = z
  .object({
    table: tableName,
    as: identifier.optional(),
    values: columnValues.refine((v) => Object.keys(v).length > 0, 'must give at least one column'),
  })
  .strict();

const postgresUrl = z
  .string()
  .max(2000)
  .refine((u) => /^postgres(ql)?:\/\/./.test(u) && URL.canParse(u), 'must be a postgres:// or postgresql:// URL');

const postgresSchema = z
  .object({
    url: postgresUrl.optional(),
    tables: z.array(tableSchema).min(1, 'must map at least one table').max(500, 'must map at most 500 tables'),
    drill: z
      .object({ seed: z.array(seedRowSchema).min(1, 'must seed at least one row').max(500) })
      .strict()
      .optional(),
  })
  .strict();

const path = z.string().regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/, 'must be a path starting with /');
const httpSchema = z
  .object({
    baseUrl: z
      .string()
      .max(2000)
      .refine((u) => /^https?:\/\/./.test(u) && URL.canParse(u), 'must be an http:// or https:// URL'),
    token: z.string().min(1, 'must not be empty').max(4000).optional(),
    exportPath: path.default('/dsr/export'),
    erasePath: path.default('/dsr/erase'),
    seedPath: path.optional(),
    residuePath: path.optional(),
    timeoutMs: z
      .number()
      .int('must be a whole number')
      .min(100, 'must be at least 100')
      .max(120_000, 'must be at most 120000')
      .default(10_000),
    retries: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(5, 'must be at most 5')
      .default(2),
  })
  .strict();

const manualSchema = z.object({ checklist: z.array(text(500)).min(1, 'must list at least one step').max(50) }).strict();

const definitionSchema = z
  .object({
    key: z.string().regex(SYSTEM_KEY, 'must be a lower-case key (a-z, 0-9, -; 2 to 63 characters)'),
    name: text(200),
    kind: z.enum(DATA_SYSTEM_KINDS),
    owner: z
      .object({
        department: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'must be a department key'),
        user: z.email('must be an e-mail address').max(320).optional(),
      })
      .strict(),
    description: text(4000).optional(),
    postgres: postgresSchema.optional(),
    http: httpSchema.optional(),
    manual: manualSchema.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    for (const kind of DATA_SYSTEM_KINDS) {
      if (kind === d.kind && d[kind] === undefined)
        ctx.addIssue({ code: 'custom', path: [kind], message: `is required when kind is ${d.kind}` });
      if (kind !== d.kind && d[kind] !== undefined)
        ctx.addIssue({ code: 'custom', path: [kind], message: `must not be given when kind is ${d.kind}` });
    }
  });

// ---------------------------------------------------------------------------------------------------------
// Rules between fields

type Path = readonly (string | number)[];
interface PathProblem {
  path: Path;
  message: string;
}

/** `['postgres', 'tables', 2, 'export', 1]` → `postgres.tables[2].export[1]`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** The placeholders of a seed value: `{ name }` for `{{email}}`, `{ as, column }` for `{{patient.id}}`. */
export function seedPlaceholders(
  value: string,
): Array<{ raw: string; name?: string; as?: string; column?: string; invalid?: true }> {
  const out: Array<{ raw: string; name?: string; as?: string; column?: string; invalid?: true }> = [];
  for (const m of value.matchAll(PLACEHOLDER)) {
    const inner = m[1].trim();
    const dot = /^([A-Za-z_][A-Za-z0-9_]{0,62})\.([A-Za-z_][A-Za-z0-9_]{0,62})$/.exec(inner);
    if (dot) out.push({ raw: m[0], as: dot[1], column: dot[2] });
    else if ((SEED_PLACEHOLDERS as readonly string[]).includes(inner)) out.push({ raw: m[0], name: inner });
    else out.push({ raw: m[0], invalid: true });
  }
  return out;
}

function postgresRules(map: PostgresMap): PathProblem[] {
  const problems: PathProblem[] = [];
  const at = (...p: (string | number)[]): Path => ['postgres', ...p];
  const index = new Map<string, number>();
  map.tables.forEach((t, i) => {
    if (index.has(t.table))
      problems.push({
        path: at('tables', i, 'table'),
        message: `table "${t.table}" is already mapped at tables[${index.get(t.table)}]`,
      });
    else index.set(t.table, i);
  });

  map.tables.forEach((t, i) => {
    const dupes = (cols: string[], field: string) => {
      cols.forEach((c, j) => {
        if (cols.indexOf(c) !== j)
          problems.push({ path: at('tables', i, field, j), message: `column "${c}" is listed twice` });
      });
    };
    dupes(t.export, 'export');
    if (t.rectify) dupes(t.rectify, 'rectify');
    const join = t.find.join;
    if (join) {
      if (join.parent === t.table)
        problems.push({ path: at('tables', i, 'find', 'join', 'parent'), message: 'a table cannot join to itself' });
      else if (!index.has(join.parent))
        problems.push({
          path: at('tables', i, 'find', 'join', 'parent'),
          message: `"${join.parent}" is not a mapped table`,
        });
    }
  });

  // Cycles through joins (a table whose parent chain comes back to it).
  const reported = new Set<number>();
  map.tables.forEach((start, i) => {
    const seen = [i];
    let t = start;
    while (t.find.join && index.has(t.find.join.parent) && t.find.join.parent !== t.table) {
      const next = index.get(t.find.join.parent)!;
      if (seen.includes(next)) {
        const cycle = seen.slice(seen.indexOf(next));
        if (next === i && !cycle.some((c) => reported.has(c))) {
          cycle.forEach((c) => reported.add(c));
          const names = [...cycle, next].map((c) => map.tables[c].table).join(' → ');
          problems.push({ path: at('tables', i, 'find', 'join', 'parent'), message: `joins form a cycle: ${names}` });
        }
        break;
      }
      seen.push(next);
      t = map.tables[next];
    }
  });

  // Drill seed: unique `as`, placeholders that resolve to an earlier row.
  const seed = map.drill?.seed ?? [];
  const aliases = new Map<string, number>();
  seed.forEach((row, i) => {
    for (const [column, value] of Object.entries(row.values)) {
      if (typeof value !== 'string') continue;
      for (const p of seedPlaceholders(value)) {
        const where = at('drill', 'seed', i, 'values', column);
        if (p.invalid) {
          problems.push({
            path: where,
            message: `unknown placeholder ${p.raw}: use {{email}}, {{phone}}, {{nationalId}}, {{name}} or {{<as>.<column>}} of an earlier row`,
          });
        } else if (p.as !== undefined && !aliases.has(p.as)) {
          const later = seed.findIndex((r, j) => j >= i && r.as === p.as);
          problems.push({
            path: where,
            message:
              later >= 0
                ? `${p.raw} refers to seed[${later}], which is not seeded before this row`
                : `${p.raw} refers to "${p.as}", which no earlier seed row declares with as`,
          });
        }
      }
    }
    if (row.as !== undefined) {
      if (aliases.has(row.as))
        problems.push({
          path: at('drill', 'seed', i, 'as'),
          message: `"${row.as}" is already used by seed[${aliases.get(row.as)}]`,
        });
      else aliases.set(row.as, i);
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

function problemsFromZod(error: z.ZodError): PathProblem[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    if (issue.code === 'invalid_value' && 'values' in issue)
      message = `must be one of ${issue.values.map(String).join(', ')}`;
    if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
      message = issue.message.endsWith('received undefined')
        ? 'is required'
        : `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    }
    if (issue.code === 'invalid_key' && issue.issues[0]) message = `key: ${issue.issues[0].message}`;
    return { path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'), message };
  });
}

function requireSecrets(d: DataSystemDefinition): PathProblem[] {
  if (d.kind === 'postgres' && d.postgres.url === undefined)
    return [{ path: ['postgres', 'url'], message: 'is required (or supplied separately)' }];
  if (d.kind === 'http' && d.http.token === undefined)
    return [{ path: ['http', 'token'], message: 'is required (or supplied separately)' }];
  return [];
}

function validate(
  input: unknown,
  options: ParseDataSystemOptions,
): { definition: DataSystemDefinition | null; problems: PathProblem[] } {
  const nul = nulCharacterPaths(input);
  if (nul.length) return { definition: null, problems: nul.map((path) => ({ path, message: NUL_CHARACTER_MESSAGE })) };
  const result = definitionSchema.safeParse(input);
  if (!result.success) return { definition: null, problems: problemsFromZod(result.error) };
  const definition = result.data as DataSystemDefinition;
  const problems = definition.kind === 'postgres' ? postgresRules(definition.postgres) : [];
  if (!options.secretsSupplied) problems.push(...requireSecrets(definition));
  return { definition: problems.length ? null : definition, problems };
}

function toError(problems: PathProblem[], lineOf?: (path: Path) => number | null): ValidationError {
  const errors: FieldProblem[] = problems.map((p) => {
    const line = lineOf?.(p.path);
    return { field: formatFieldPath(p.path), message: line ? `line ${line}: ${p.message}` : p.message };
  });
  return new ValidationError(errors, undefined, DATA_MAP_INVALID);
}

/** Validates a definition given as a plain value (parsed JSON, a stored definition). */
export function parseDataSystem(input: unknown, options: ParseDataSystemOptions = {}): DataSystemDefinition {
  const { definition, problems } = validate(input, options);
  if (!definition) throw toError(problems);
  return definition;
}

/**
 * Parses and validates a YAML (or JSON, which is YAML) definition. The YAML core schema only; anchors,
 * aliases and custom tags are refused (a map is reviewed text). Problems carry the line they point at.
 */
export function parseDataSystemYaml(source: string, options: ParseDataSystemOptions = {}): DataSystemDefinition {
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > MAX_DATA_MAP_BYTES)
    throw toError([{ path: [], message: `the definition is ${bytes} bytes; the limit is ${MAX_DATA_MAP_BYTES}` }]);
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, schema: 'core', uniqueKeys: true, prettyErrors: false });
  const at = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
  const syntax: Array<{ line: number; message: string }> = [];
  for (const e of [...doc.errors, ...doc.warnings])
    syntax.push({ line: at(e.pos[0]), message: e.message.split('\n')[0] });
  visit(doc, (_key, node) => {
    if (isAlias(node))
      syntax.push({ line: at(node.range?.[0]), message: `YAML aliases (*${node.source}) are not allowed` });
    else if (isNode(node)) {
      if (node.anchor)
        syntax.push({ line: at(node.range?.[0]), message: `YAML anchors (&${node.anchor}) are not allowed` });
      if (node.tag && !node.tag.startsWith('tag:yaml.org,2002:'))
        syntax.push({ line: at(node.range?.[0]), message: `custom YAML tags (${node.tag}) are not allowed` });
    }
  });
  if (syntax.length)
    throw new ValidationError(
      syntax.map((s) => ({ field: '', message: `line ${s.line}: ${s.message}` })),
      undefined,
      DATA_MAP_INVALID,
    );

  const { definition, problems } = validate(doc.toJS({ maxAliasCount: 0 }), options);
  if (definition) return definition;
  throw toError(problems, (path) => lineOfPath(doc.contents, path, at));
}

/** Line of the node at `path`: a map entry's key line, a sequence item's line; the nearest existing ancestor's. */
function lineOfPath(root: unknown, path: Path, at: (offset: number | undefined) => number): number | null {
  let node = root;
  let line = isNode(node) && node.range ? at(node.range[0]) : null;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      if (isNode(pair.key) && pair.key.range) line = at(pair.key.range[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && step < node.items.length) {
      node = node.items[step];
      if (isNode(node) && node.range) line = at(node.range[0]);
    } else break;
  }
  return line;
}

// ---------------------------------------------------------------------------------------------------------
// Secrets

/** The definition without its secrets (what is stored in clear and exported), and the secrets. */
export function separateSecrets(definition: DataSystemDefinition): {
  definition: DataSystemDefinition;
  secrets: DataSystemSecrets;
} {
  if (definition.kind === 'postgres') {
    const { url, ...postgres } = definition.postgres;
    return { definition: { ...definition, postgres }, secrets: url === undefined ? {} : { url } };
  }
  if (definition.kind === 'http') {
    const { token, ...http } = definition.http;
    return { definition: { ...definition, http }, secrets: token === undefined ? {} : { token } };
  }
  return { definition, secrets: {} };
}

/** The definition with secrets put back (those given override those present). */
export function withSecrets(definition: DataSystemDefinition, secrets: DataSystemSecrets): DataSystemDefinition {
  if (definition.kind === 'postgres' && secrets.url !== undefined)
    return { ...definition, postgres: { ...definition.postgres, url: secrets.url } };
  if (definition.kind === 'http' && secrets.token !== undefined)
    return { ...definition, http: { ...definition.http, token: secrets.token } };
  return definition;
}

/** YAML for export: secrets left out (re-import with `secretsSupplied` or give them again). */
export function dataSystemToYaml(definition: DataSystemDefinition): string {
  return stringify(separateSecrets(definition).definition, { lineWidth: 0 });
}

// ---------------------------------------------------------------------------------------------------------
// Erasure methods as the subject is told them

/** What erasure leaves of a table's rows, in the words of the receipt and the data map. */
export type ErasureMethod = 'delete' | 'anonymise' | 'pseudonymise' | 'retain';

/** The lift values of a table's restriction: `unrestrict`, else each boolean negated and anything else NULL. */
export function unrestrictValues(t: MappedTable): Record<string, ColumnValue> {
  if (t.unrestrict) return t.unrestrict;
  return Object.fromEntries(Object.entries(t.restrict ?? {}).map(([c, v]) => [c, typeof v === 'boolean' ? !v : null]));
}

/**
 * The method per table. A table the map anonymises is only anonymous if no row that stays (retained, or
 * anonymised itself) is linked to it through the map's joins: a profile with its identifiers blanked that
 * retained clinical rows still point at by `patient_id` is **pseudonymised** (the link re-identifies it
 * for whoever holds the other rows), and so is anything linked to that profile. Each pseudonymised table
 * names the retained tables it stays linked to (directly or through other rows that stay).
 */
export function erasureMethods(
  map: Pick<PostgresMap, 'tables'>,
): Map<string, { method: ErasureMethod; linkedBy: string[] }> {
  const stays = (t: MappedTable) => t.erase.rule !== 'delete';
  const byName = new Map(map.tables.map((t) => [t.table, t]));
  // Undirected links between tables whose rows both stay after erasure.
  const links = new Map<string, Set<string>>();
  const link = (a: string, b: string) => (links.get(a) ?? links.set(a, new Set()).get(a)!).add(b);
  for (const t of map.tables) {
    const parent = t.find.join ? byName.get(t.find.join.parent) : undefined;
    if (parent && stays(t) && stays(parent)) {
      link(t.table, parent.table);
      link(parent.table, t.table);
    }
  }
  const out = new Map<string, { method: ErasureMethod; linkedBy: string[] }>();
  for (const t of map.tables) {
    if (t.erase.rule !== 'anonymise') {
      out.set(t.table, { method: t.erase.rule, linkedBy: [] });
      continue;
    }
    // Every table that stays and is connected to this one; the retained ones among them keep the link.
    const seen = new Set([t.table]);
    const queue = [t.table];
    while (queue.length) {
      for (const next of links.get(queue.shift()!) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    const retained = [...seen].filter((n) => byName.get(n)?.erase.rule === 'retain');
    out.set(
      t.table,
      retained.length ? { method: 'pseudonymise', linkedBy: retained } : { method: 'anonymise', linkedBy: [] },
    );
  }
  return out;
}
