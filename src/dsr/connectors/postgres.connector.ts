// Executes DSRs against a PostgreSQL data store from its declarative map (src/dsr/domain/data-map.ts).
//
// SQL safety: every identifier in SQL text comes from the validated map (IDENTIFIER / TABLE_NAME regex at
// parse time), is checked against the live catalog by check() before any statement runs, and is quoted;
// every value — subject keys, anonymise replacements, rectifications, restriction flags, seed values — is
// a bound parameter ($1 …). Nothing else reaches SQL text.
//
// Finding the subject: a table with identifier columns matches rows where any known key equals its column
// (OR over the keys given; null keys skipped; exact equality, so the data store is expected to hold the
// normalised form the service passes, see SubjectKeys); a joined table matches rows whose column is in the
// parent's found rows, recursively.
//
// Order: erasure and updates run children before parents — by the map's joins and by the foreign keys
// between mapped tables found in pg_constraint — so a parent is anonymised (losing the identifiers its
// children are found by) or deleted only after its children were handled. All in one transaction.
//
// Residue: the find again on every mapped table and, given a drill's seed manifest, every seeded row by
// primary key — still present in a delete table or in a table the map does not map: residue (this is how
// an incomplete map fails a drill); in an anonymise table: residue when an anonymised column still holds
// its seeded value or any column still contains the subject's keys or drill name; in a retain table:
// reported with retained=true and the basis. Without a manifest, rows kept under an anonymised parent are
// no longer reachable from the keys and count 0 (erase's report is what counts them).
//
// Values come back as JSON-friendly text where node-pg would build objects: date, timestamp(tz), interval,
// bytea (and their arrays) are PostgreSQL's text form, in UTC.
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Pool, PoolClient, types } from 'pg';
import { FieldProblem, ValidationError } from '../../common/errors/app-error';
import {
  ColumnValue,
  DATA_MAP_INVALID,
  formatFieldPath,
  IDENTIFIER,
  MappedTable,
  PostgresSystemDefinition,
  SeedRow,
  seedPlaceholders,
  SUBJECT_KEY_NAMES,
  TABLE_NAME,
  unrestrictValues,
} from '../domain/data-map';
import type {
  DataSystemConnector,
  EraseOptions,
  SeedManifest,
  SystemExport,
  TableErasure,
  TableResidue,
  TableUpdate,
  UpdateAction,
} from './connector';
import type { SubjectKeys } from '../domain/dsr-model';

export interface PostgresConnectorOptions {
  /** The connection URL when the definition does not carry it (the service keeps it encrypted apart). */
  url?: string;
  /** Connections in the pool. Default 2. */
  poolSize?: number;
  /** statement_timeout of every statement. Default 30 s. */
  statementTimeoutMs?: number;
  /** Time to wait for a connection. Default 10 s. */
  connectTimeoutMs?: number;
}

/** A statement against the data store failed; the transaction it ran in was rolled back. */
export class DataSystemConnectorError extends Error {
  readonly code = 'dsr.connector_failed';
  constructor(
    readonly system: string,
    readonly operation: string,
    readonly table: string | null,
    /** PostgreSQL's SQLSTATE, when the server answered. */
    readonly sqlState: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DataSystemConnectorError';
  }
}

/** Text forms instead of Date/Buffer/object for values that do not survive JSON or time zones intact. */
const log = new Logger('PostgresConnector');
const TEXT_TYPES = new Set([1082, 1114, 1184, 1186, 1083, 1266, 17, 1182, 1115, 1185, 1187, 1183, 1270, 1001]);
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_TYPES.has(oid)
      ? (value: string) => value
      : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
};

export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a valid identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

export function quoteTable(name: string): string {
  if (!TABLE_NAME.test(name)) throw new Error(`not a valid table name: ${JSON.stringify(name)}`);
  return name.split('.').map(quoteIdentifier).join('.');
}

interface RelationInfo {
  /** pg_class oid, as text (oids are unsigned 32-bit). */
  oid: string;
  columns: Set<string>;
  primaryKey: string[];
}

interface Catalog {
  /** Mapped and seeded tables by the name the map gives them. */
  relations: Map<string, RelationInfo>;
  /** Mapped tables, children before parents. */
  childrenFirst: MappedTable[];
}

/** Bound parameters of one statement; subject keys are bound once each. */
class Params {
  readonly values: unknown[] = [];
  private readonly keys = new Map<string, string>();
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  bindKey(name: string, value: string): string {
    let ref = this.keys.get(name);
    if (!ref) this.keys.set(name, (ref = this.bind(value)));
    return ref;
  }
}

type Problem = { path: (string | number)[]; message: string };

export class PostgresConnector implements DataSystemConnector {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;
  private readonly system: string;
  private readonly tables: MappedTable[];
  private readonly byName: Map<string, MappedTable>;
  private readonly seedRows: SeedRow[];
  private catalog: Catalog | null = null;

  constructor(
    private readonly definition: PostgresSystemDefinition,
    options: PostgresConnectorOptions = {},
  ) {
    const url = options.url ?? definition.postgres.url;
    if (!url)
      throw new ValidationError([{ field: 'postgres.url', message: 'is required' }], undefined, DATA_MAP_INVALID);
    this.system = definition.key;
    this.tables = definition.postgres.tables;
    this.byName = new Map(this.tables.map((t) => [t.table, t]));
    this.seedRows = definition.postgres.drill?.seed ?? [];
    this.pool = new Pool({
      connectionString: url,
      max: options.poolSize ?? 2,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'attest-dsr',
      options: '-c TimeZone=UTC',
      types: typeParsers,
    });
    // An idle client's error (server restart) must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  // -------------------------------------------------------------------------------------------------------
  // check

  async check(): Promise<void> {
    const problems: Problem[] = [];
    let rows: Array<{
      name: string;
      oid: string | null;
      relkind: string | null;
      sel: boolean;
      ins: boolean;
      upd: boolean;
      del: boolean;
      columns: string[] | null;
      pk: string[] | null;
    }>;
    let fks: Array<{ child: string; parent: string }>;
    const names = [...new Set([...this.tables.map((t) => t.table), ...this.seedRows.map((s) => s.table)])];
    try {
      const result = await this.pool.query(
        `SELECT t.ord, c.oid::text AS oid, c.relkind::text AS relkind,
                c.oid IS NOT NULL AND has_table_privilege(c.oid, 'SELECT') AS sel,
                c.oid IS NOT NULL AND has_table_privilege(c.oid, 'INSERT') AS ins,
                c.oid IS NOT NULL AND has_table_privilege(c.oid, 'UPDATE') AS upd,
                c.oid IS NOT NULL AND has_table_privilege(c.oid, 'DELETE') AS del,
                (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
                (SELECT array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum))
                   FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
                  WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
           FROM unnest($1::text[]) WITH ORDINALITY AS t(name, ord)
           LEFT JOIN pg_class c ON c.oid = to_regclass(t.name)
          ORDER BY t.ord`,
        [names.map(quoteTable)],
      );
      rows = result.rows.map((r) => ({ ...r, name: names[Number(r.ord) - 1] }));
      const oids = rows.map((r) => r.oid).filter((o): o is string => o !== null);
      fks = (
        await this.pool.query(
          `SELECT DISTINCT conrelid::text AS child, confrelid::text AS parent FROM pg_constraint
            WHERE contype = 'f' AND conrelid = ANY ($1::oid[]) AND confrelid = ANY ($1::oid[]) AND conrelid <> confrelid`,
          [oids],
        )
      ).rows;
    } catch (e) {
      throw new ValidationError(
        [
          {
            field: 'postgres.url',
            message: this.unreachable('check', e) ?? `cannot query the database: ${(e as Error).message}`,
          },
        ],
        undefined,
        DATA_MAP_INVALID,
      );
    }

    const info = new Map(rows.map((r) => [r.name, r]));
    const relations = new Map<string, RelationInfo>();
    const firstByOid = new Map<string, number>();
    const tablePath = (i: number, ...p: (string | number)[]) => ['postgres', 'tables', i, ...p];

    const relation = (
      name: string,
      path: (string | number)[],
      needs: Array<'sel' | 'ins' | 'upd' | 'del'>,
    ): RelationInfo | null => {
      const r = info.get(name)!;
      if (r.oid === null) {
        problems.push({ path, message: `table "${name}" does not exist` });
        return null;
      }
      if (r.relkind !== 'r' && r.relkind !== 'p') {
        problems.push({ path, message: `"${name}" is not a table` });
        return null;
      }
      const verbs = { sel: 'SELECT', ins: 'INSERT', upd: 'UPDATE', del: 'DELETE' } as const;
      const missing = needs.filter((n) => !r[n]).map((n) => verbs[n]);
      if (missing.length)
        problems.push({ path, message: `the connection's role lacks ${missing.join(', ')} on "${name}"` });
      const rel = { oid: r.oid, columns: new Set(r.columns ?? []), primaryKey: r.pk ?? [] };
      relations.set(name, rel);
      return rel;
    };
    const column = (rel: RelationInfo | null | undefined, table: string, col: string, path: (string | number)[]) => {
      if (rel && !rel.columns.has(col))
        problems.push({ path, message: `column "${col}" does not exist in table "${table}"` });
    };

    this.tables.forEach((t, i) => {
      const needs: Array<'sel' | 'upd' | 'del'> = ['sel'];
      if (t.erase.rule === 'delete') needs.push('del');
      if (t.erase.rule === 'anonymise' || t.rectify || t.restrict) needs.push('upd');
      const rel = relation(t.table, tablePath(i, 'table'), needs);
      if (!rel) return;
      const earlier = firstByOid.get(rel.oid);
      if (earlier !== undefined)
        problems.push({
          path: tablePath(i, 'table'),
          message: `is the same table as tables[${earlier}] ("${this.tables[earlier].table}")`,
        });
      else firstByOid.set(rel.oid, i);
      for (const k of SUBJECT_KEY_NAMES) {
        const col = t.find[k];
        if (col) column(rel, t.table, col, tablePath(i, 'find', k));
      }
      t.export.forEach((c, j) => column(rel, t.table, c, tablePath(i, 'export', j)));
      if (t.erase.rule === 'anonymise')
        for (const c of Object.keys(t.erase.set)) column(rel, t.table, c, tablePath(i, 'erase', 'set', c));
      t.rectify?.forEach((c, j) => column(rel, t.table, c, tablePath(i, 'rectify', j)));
      for (const c of Object.keys(t.restrict ?? {})) column(rel, t.table, c, tablePath(i, 'restrict', c));
    });
    // Joins, once every mapped table is known.
    this.tables.forEach((t, i) => {
      const j = t.find.join;
      if (!j) return;
      column(relations.get(t.table), t.table, j.column, tablePath(i, 'find', 'join', 'column'));
      column(relations.get(j.parent), j.parent, j.parentColumn, tablePath(i, 'find', 'join', 'parentColumn'));
    });

    const aliasTable = new Map<string, string>();
    this.seedRows.forEach((s, i) => {
      const path = ['postgres', 'drill', 'seed', i];
      const needs: Array<'sel' | 'ins' | 'del'> = ['sel', 'ins', 'del'];
      const rel = relation(s.table, [...path, 'table'], needs);
      if (rel && rel.primaryKey.length === 0)
        problems.push({
          path: [...path, 'table'],
          message: `table "${s.table}" has no primary key: seeded rows must be found again by key`,
        });
      for (const [c, v] of Object.entries(s.values)) {
        column(rel, s.table, c, [...path, 'values', c]);
        if (typeof v !== 'string') continue;
        for (const p of seedPlaceholders(v)) {
          if (p.as === undefined || p.column === undefined) continue;
          const table = aliasTable.get(p.as);
          if (table !== undefined) column(relations.get(table), table, p.column, [...path, 'values', c]);
        }
      }
      if (s.as !== undefined) aliasTable.set(s.as, s.table);
    });

    if (problems.length) {
      const errors: FieldProblem[] = problems.map((p) => ({ field: formatFieldPath(p.path), message: p.message }));
      throw new ValidationError(errors, undefined, DATA_MAP_INVALID);
    }
    this.catalog = { relations, childrenFirst: this.childrenFirst(relations, fks) };
  }

  /** Mapped tables ordered so that every child (by join or foreign key) comes before its parent: leaves first, parents last. */
  private childrenFirst(
    relations: Map<string, RelationInfo>,
    fks: Array<{ child: string; parent: string }>,
  ): MappedTable[] {
    const index = new Map(this.tables.map((t, i) => [relations.get(t.table)!.oid, i]));
    const parents = this.tables.map(() => new Set<number>());
    for (const fk of fks) {
      const c = index.get(fk.child);
      const p = index.get(fk.parent);
      if (c !== undefined && p !== undefined) parents[c].add(p);
    }
    this.tables.forEach((t, i) => {
      if (t.find.join) parents[i].add(this.tables.indexOf(this.byName.get(t.find.join.parent)!));
    });
    const pendingChildren = this.tables.map(() => 0);
    parents.forEach((ps) => ps.forEach((p) => pendingChildren[p]++));
    const done = new Set<number>();
    const order: MappedTable[] = [];
    const isParent = pendingChildren.map((n) => n > 0);
    while (order.length < this.tables.length) {
      // Tables without children first, then parents once their children are done, each in map order (so a
      // root such as patients goes last); on a foreign-key cycle, the first table left.
      const ready = this.tables.map((_, i) => i).filter((i) => !done.has(i) && pendingChildren[i] === 0);
      let next = ready.find((i) => !isParent[i]) ?? ready[0] ?? -1;
      if (next < 0) next = this.tables.findIndex((_, i) => !done.has(i));
      done.add(next);
      order.push(this.tables[next]);
      parents[next].forEach((p) => pendingChildren[p]--);
    }
    return order;
  }

  private async ready(): Promise<Catalog> {
    if (!this.catalog) await this.check();
    return this.catalog!;
  }

  // -------------------------------------------------------------------------------------------------------
  // SQL building

  /** The condition on `alias` (a row of `t`) that the row belongs to the subject. */
  private condition(t: MappedTable, alias: string, keys: SubjectKeys, params: Params, depth = 0): string {
    const j = t.find.join;
    if (j) {
      const parent = this.byName.get(j.parent)!;
      const pa = `t${depth + 1}`;
      return `${alias}.${quoteIdentifier(j.column)} IN (SELECT ${pa}.${quoteIdentifier(j.parentColumn)} FROM ${quoteTable(parent.table)} AS ${pa} WHERE ${this.condition(parent, pa, keys, params, depth + 1)})`;
    }
    const parts: string[] = [];
    for (const k of SUBJECT_KEY_NAMES) {
      const col = t.find[k];
      const value = keys[k];
      if (col && typeof value === 'string' && value !== '')
        parts.push(`${alias}.${quoteIdentifier(col)} = ${params.bindKey(k, value)}`);
    }
    return parts.length ? `(${parts.join(' OR ')})` : 'FALSE';
  }

  /** Text form of the row's identity: its primary key, or ctid for a table without one. */
  private rowId(rel: RelationInfo, alias: string): string {
    const cols = rel.primaryKey.length
      ? rel.primaryKey.map((c) => `${alias}.${quoteIdentifier(c)}::text`)
      : [`${alias}.ctid::text`];
    return `json_build_array(${cols.join(', ')})::text AS row_id`;
  }

  private requireKeys(keys: SubjectKeys): void {
    if (!SUBJECT_KEY_NAMES.some((k) => typeof keys[k] === 'string' && keys[k] !== '')) {
      throw new ValidationError(
        [{ field: 'keys', message: 'at least one of email, phone, nationalId is required' }],
        undefined,
        'dsr.subject_keys_missing',
      );
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Rights

  async export(keys: SubjectKeys): Promise<SystemExport> {
    this.requireKeys(keys);
    const catalog = await this.ready();
    return this.transaction('export', keys, 'REPEATABLE READ READ ONLY', async (run) => {
      const tables = [];
      for (const t of this.tables) {
        const params = new Params();
        const where = this.condition(t, 't0', keys, params);
        const pk = catalog.relations.get(t.table)!.primaryKey;
        const order = pk.length ? ` ORDER BY ${pk.map((c) => `t0.${quoteIdentifier(c)}`).join(', ')}` : '';
        const sql = `SELECT ${t.export.map((c) => `t0.${quoteIdentifier(c)}`).join(', ')} FROM ${quoteTable(t.table)} AS t0 WHERE ${where}${order}`;
        const result = await run(t.table, sql, params.values);
        tables.push({ table: t.table, columns: [...t.export], rows: result.rows });
      }
      return { system: this.system, tables };
    });
  }

  async erase(keys: SubjectKeys, options: EraseOptions = { anonymise: true }): Promise<TableErasure[]> {
    this.requireKeys(keys);
    const catalog = await this.ready();
    const done = await this.transaction('erase', keys, 'READ COMMITTED', async (run) => {
      const out = new Map<MappedTable, TableErasure>();
      for (const t of catalog.childrenFirst) {
        const params = new Params();
        const where = this.condition(t, 't0', keys, params);
        const target = `${quoteTable(t.table)} AS t0`;
        const erase = t.erase;
        if (erase.rule === 'delete' || (erase.rule === 'anonymise' && !options.anonymise)) {
          const r = await run(t.table, `DELETE FROM ${target} WHERE ${where}`, params.values);
          out.set(t, {
            table: t.table,
            rule: 'delete',
            rows: r.rowCount ?? 0,
            ...(erase.rule === 'anonymise' ? { insteadOf: 'anonymise' as const } : {}),
          });
        } else if (erase.rule === 'anonymise') {
          const set = Object.entries(erase.set).map(([c, v]) => `${quoteIdentifier(c)} = ${params.bind(v)}`);
          const r = await run(t.table, `UPDATE ${target} SET ${set.join(', ')} WHERE ${where}`, params.values);
          out.set(t, { table: t.table, rule: 'anonymise', rows: r.rowCount ?? 0 });
        } else {
          const r = await run(t.table, `SELECT count(*)::int AS n FROM ${target} WHERE ${where}`, params.values);
          out.set(t, {
            table: t.table,
            rule: 'retain',
            rows: r.rows[0].n as number,
            basis: erase.basis,
            retention: erase.retention,
          });
        }
      }
      return out;
    });
    return this.tables.map((t) => done.get(t)!);
  }

  async residue(keys: SubjectKeys, seed?: SeedManifest): Promise<TableResidue[]> {
    this.requireKeys(keys);
    const catalog = await this.ready();
    const seedRows = seed ? this.validManifest(seed, catalog) : [];
    // What identifies the subject: the keys, and the synthetic name a drill seeded with them.
    const identity = [...SUBJECT_KEY_NAMES.map((k) => keys[k]), seed ? drillSubjectName(keys) : null].filter(
      (v): v is string => typeof v === 'string' && v.length >= 3,
    );
    return this.transaction('residue', keys, 'REPEATABLE READ READ ONLY', async (run) => {
      const found = new Map<string, Set<string>>();
      const add = (table: string, id: string) => {
        if (!found.has(table)) found.set(table, new Set());
        found.get(table)!.add(id);
      };
      for (const t of this.tables) {
        found.set(t.table, new Set());
        const params = new Params();
        const where = this.condition(t, 't0', keys, params);
        const r = await run(
          t.table,
          `SELECT ${this.rowId(catalog.relations.get(t.table)!, 't0')} FROM ${quoteTable(t.table)} AS t0 WHERE ${where}`,
          params.values,
        );
        for (const row of r.rows) add(t.table, row.row_id as string);
      }
      for (const row of seedRows) {
        if (!found.has(row.table)) found.set(row.table, new Set());
        const rel = catalog.relations.get(row.table)!;
        const mapped = this.byName.get(row.table);
        const anonymise = mapped?.erase.rule === 'anonymise' ? mapped.erase.set : null;
        // For an anonymised row: its anonymised columns and every column the drill seeded.
        const read = anonymise
          ? [...new Set([...Object.keys(anonymise), ...Object.keys(row.values)])].filter((c) => rel.columns.has(c))
          : [];
        const params = new Params();
        const match = rel.primaryKey.map((c) => `t0.${quoteIdentifier(c)} = ${params.bind(row.key[c])}`).join(' AND ');
        const extra = read.map((c, i) => `, t0.${quoteIdentifier(c)}::text AS c${i}`).join('');
        const r = await run(
          row.table,
          `SELECT ${this.rowId(rel, 't0')}${extra} FROM ${quoteTable(row.table)} AS t0 WHERE ${match}`,
          params.values,
        );
        if (r.rows.length === 0) continue;
        const current = r.rows[0];
        if (anonymise) {
          // Residue when an anonymised column still holds what the drill seeded there, or when any column
          // still contains the subject's identity (a column the map forgot to anonymise).
          const holds = read.some((c, i) => {
            const now = current[`c${i}`] as string | null;
            if (now === null) return false;
            const seeded = row.values[c];
            const kept =
              c in anonymise &&
              seeded !== null &&
              seeded !== undefined &&
              String(seeded) === now &&
              String(seeded) !== String(anonymise[c]);
            return kept || identity.some((v) => now.includes(v));
          });
          if (!holds) continue;
        }
        add(row.table, current.row_id as string);
      }
      const out: TableResidue[] = this.tables.map((t) => {
        const rows = found.get(t.table)!.size;
        return t.erase.rule === 'retain'
          ? { table: t.table, rows, retained: true, basis: t.erase.basis }
          : { table: t.table, rows, retained: false };
      });
      for (const [table, ids] of found)
        if (!this.byName.has(table)) out.push({ table, rows: ids.size, retained: false });
      return out;
    });
  }

  async update(keys: SubjectKeys, action: UpdateAction): Promise<TableUpdate[] | null> {
    this.requireKeys(keys);
    const catalog = await this.ready();
    const targets = catalog.childrenFirst.filter((t) => (action.kind === 'rectify' ? t.rectify : t.restrict));
    if (targets.length === 0) return null;
    if (action.kind === 'rectify') {
      const allowed = new Set(targets.flatMap((t) => t.rectify!));
      const problems = Object.keys(action.changes)
        .filter((c) => !allowed.has(c))
        .map((c) => ({
          field: formatFieldPath(['changes', c]),
          message: `no table of ${this.system} lets a rectification set "${c}"`,
        }));
      if (Object.keys(action.changes).length === 0)
        problems.push({ field: 'changes', message: 'must change at least one column' });
      if (problems.length) throw new ValidationError(problems, undefined, 'dsr.rectification_not_mapped');
    }
    const done = await this.transaction(action.kind, keys, 'READ COMMITTED', async (run) => {
      const out = new Map<MappedTable, TableUpdate>();
      for (const t of targets) {
        const changes: Array<[string, ColumnValue]> =
          action.kind === 'rectify'
            ? Object.entries(action.changes).filter(([c]) => t.rectify!.includes(c))
            : Object.entries(action.kind === 'restrict' ? t.restrict! : unrestrictValues(t));
        if (changes.length === 0) continue;
        const params = new Params();
        const where = this.condition(t, 't0', keys, params);
        const set = changes.map(([c, v]) => `${quoteIdentifier(c)} = ${params.bind(v)}`);
        const r = await run(
          t.table,
          `UPDATE ${quoteTable(t.table)} AS t0 SET ${set.join(', ')} WHERE ${where}`,
          params.values,
        );
        out.set(t, { table: t.table, rows: r.rowCount ?? 0 });
      }
      return out;
    });
    return this.tables.filter((t) => done.has(t)).map((t) => done.get(t)!);
  }

  // -------------------------------------------------------------------------------------------------------
  // Drills

  async seed(keys: SubjectKeys): Promise<SeedManifest | null> {
    if (this.seedRows.length === 0) return null;
    const catalog = await this.ready();
    const name = drillSubjectName(keys);
    // Columns later rows read from each `as` row, returned by its INSERT.
    const wanted = new Map<string, Set<string>>();
    for (const s of this.seedRows) {
      for (const v of Object.values(s.values)) {
        if (typeof v !== 'string') continue;
        for (const p of seedPlaceholders(v))
          if (p.as && p.column) (wanted.get(p.as) ?? wanted.set(p.as, new Set()).get(p.as)!).add(p.column);
      }
    }
    return this.transaction('seed', keys, 'READ COMMITTED', async (run) => {
      const saved = new Map<string, Record<string, string | null>>();
      const manifest: SeedManifest = { system: this.system, rows: [] };
      for (const s of this.seedRows) {
        const rel = catalog.relations.get(s.table)!;
        const values: Record<string, ColumnValue> = {};
        for (const [c, v] of Object.entries(s.values))
          values[c] = typeof v === 'string' ? substitute(v, keys, name, saved) : v;
        const params = new Params();
        const cols = Object.keys(values);
        const returning = [...new Set([...rel.primaryKey, ...(s.as ? (wanted.get(s.as) ?? []) : [])])];
        const sql =
          `INSERT INTO ${quoteTable(s.table)} (${cols.map(quoteIdentifier).join(', ')}) VALUES (${cols.map((c) => params.bind(values[c])).join(', ')})` +
          ` RETURNING ${returning.map((c) => `${quoteIdentifier(c)}::text AS ${quoteIdentifier(c)}`).join(', ')}`;
        const r = await run(s.table, sql, params.values);
        const returned = r.rows[0] as Record<string, string | null>;
        if (s.as) saved.set(s.as, returned);
        manifest.rows.push({
          table: s.table,
          key: Object.fromEntries(rel.primaryKey.map((c) => [c, returned[c]])),
          values,
        });
      }
      return manifest;
    });
  }

  async removeSeed(seed: SeedManifest): Promise<number> {
    const catalog = await this.ready();
    const rows = this.validManifest(seed, catalog);
    return this.transaction('removeSeed', null, 'READ COMMITTED', async (run) => {
      let removed = 0;
      // Reverse seeding order: a row only refers to rows seeded before it.
      for (const row of [...rows].reverse()) {
        const rel = catalog.relations.get(row.table)!;
        const params = new Params();
        const match = rel.primaryKey.map((c) => `${quoteIdentifier(c)} = ${params.bind(row.key[c])}`).join(' AND ');
        const r = await run(row.table, `DELETE FROM ${quoteTable(row.table)} WHERE ${match}`, params.values);
        removed += r.rowCount ?? 0;
      }
      return removed;
    });
  }

  /** A manifest's rows, after checking they name tables and keys this connector seeds (they reach SQL). */
  private validManifest(seed: SeedManifest, catalog: Catalog): SeedManifest['rows'] {
    const problems: FieldProblem[] = [];
    if (seed.system !== this.system)
      problems.push({ field: 'seed.system', message: `is "${seed.system}", not "${this.system}"` });
    const seeded = new Set(this.seedRows.map((s) => s.table));
    seed.rows.forEach((row, i) => {
      const rel = seeded.has(row.table) ? catalog.relations.get(row.table) : undefined;
      if (!rel)
        problems.push({ field: `seed.rows[${i}].table`, message: `"${row.table}" is not a table this map seeds` });
      else if (
        rel.primaryKey.some((c) => row.key[c] === undefined) ||
        Object.keys(row.key).length !== rel.primaryKey.length
      ) {
        problems.push({
          field: `seed.rows[${i}].key`,
          message: `must give the primary key (${rel.primaryKey.join(', ')})`,
        });
      }
    });
    if (problems.length) throw new ValidationError(problems, undefined, 'dsr.seed_manifest_invalid');
    return seed.rows;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  // -------------------------------------------------------------------------------------------------------
  // Execution

  private async transaction<T>(
    operation: string,
    keys: SubjectKeys | null,
    isolation: 'READ COMMITTED' | 'REPEATABLE READ READ ONLY',
    work: (
      run: (
        table: string,
        sql: string,
        params: unknown[],
      ) => Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>,
    ) => Promise<T>,
  ): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw this.failure(operation, null, e, keys);
    }
    let table: string | null = null;
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
      const result = await work((t, sql, params) => {
        table = t;
        return client.query(sql, params);
      });
      table = null;
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw this.failure(operation, table, e, keys);
    } finally {
      client.release(broken);
    }
  }

  /** The error with the system, operation and table; subject keys are masked out of the server's message. */
  /**
   * An error from no PostgreSQL server (refused, reset, DNS, TLS, not PostgreSQL at that port: no SQLSTATE)
   * is told as one text, so a URL cannot be used to learn which internal ports are open; the cause is logged.
   */
  private unreachable(operation: string, e: unknown): string | null {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return null;
    log.warn(`${this.system}: ${operation}: no answer from PostgreSQL: ${(e as Error).message ?? String(e)}`);
    return 'could not reach the database';
  }

  private failure(operation: string, table: string | null, e: unknown, keys: SubjectKeys | null): Error {
    if (e instanceof ValidationError) return e;
    const err = e as Error & { code?: string };
    let detail = err.message ?? String(e);
    for (const k of SUBJECT_KEY_NAMES) {
      const v = keys?.[k];
      if (typeof v === 'string' && v.length >= 3) detail = detail.split(v).join('[subject]');
    }
    const sqlState = typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : null;
    if (!sqlState) detail = this.unreachable(operation, e) ?? detail;
    const where = table ? ` at table "${table}"` : '';
    return new DataSystemConnectorError(
      this.system,
      operation,
      table,
      sqlState,
      `${this.system}: ${operation} failed${where}: ${detail}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`,
      {
        cause: e,
      },
    );
  }
}

/** A recognisable synthetic name for the drill subject, stable for the same keys. */
export function drillSubjectName(keys: SubjectKeys): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([keys.email, keys.phone, keys.nationalId]))
    .digest('hex');
  return `Drill Subject ${digest.slice(0, 8)}`;
}

function substitute(
  value: string,
  keys: SubjectKeys,
  name: string,
  saved: Map<string, Record<string, string | null>>,
): ColumnValue {
  const resolve = (p: ReturnType<typeof seedPlaceholders>[number]): string | null => {
    if (p.as && p.column) return saved.get(p.as)?.[p.column] ?? null;
    if (p.name === 'name') return name;
    return keys[p.name as 'email' | 'phone' | 'nationalId'] ?? null;
  };
  const placeholders = seedPlaceholders(value);
  // A value that is one placeholder takes its value as is (null stays null); otherwise text is interpolated.
  if (placeholders.length === 1 && placeholders[0].raw === value) return resolve(placeholders[0]);
  let out = value;
  for (const p of placeholders) out = out.split(p.raw).join(resolve(p) ?? '');
  return out;
}
