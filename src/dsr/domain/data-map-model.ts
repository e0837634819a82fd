// The data-system definition's model (data-map.ts parses and checks it): the kinds, the identifier and
// table-name rules, the types of a postgres, http or manual system, and the two helpers its rules and the
// connectors share (field paths, seed placeholders).

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
