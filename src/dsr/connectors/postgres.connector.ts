// Executes DSRs against a PostgreSQL data store from its declarative map (src/dsr/domain/data-map.ts).
//
// SQL safety and how the subject is found: postgres-sql.ts. The check against the live catalog and the
// children-before-parents order: postgres-catalog.ts. Residue: postgres-residue.ts. The pool, transactions,
// errors and value types: postgres-session.ts.
//
// Erasure and updates run children before parents (childrenFirst(), postgres-catalog.ts), each operation in
// one transaction.
import { ValidationError } from '../../common/errors/app-error';
import {
  ColumnValue,
  DATA_MAP_INVALID,
  formatFieldPath,
  MappedTable,
  PostgresSystemDefinition,
  SeedRow,
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
import { Catalog, checkAgainstCatalog, childrenFirst, ForeignKey, readCatalog, RelationRow } from './postgres-catalog';
import { columnsReadLater, drillSubjectName, substitute, validManifest } from './postgres-drill';
import { findResidue, subjectIdentity } from './postgres-residue';
import { PostgresConnectorOptions, PostgresSession } from './postgres-session';
import { Params, quoteIdentifier, quoteTable, requireKeys, subjectCondition } from './postgres-sql';

export { DataSystemConnectorError } from './postgres-connector.errors';
export type { PostgresConnectorOptions } from './postgres-session';

export class PostgresConnector implements DataSystemConnector {
  readonly kind = 'postgres' as const;
  private readonly session: PostgresSession;
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
    this.session = new PostgresSession(this.system, url, options);
  }

  // -------------------------------------------------------------------------------------------------------
  // check

  async check(): Promise<void> {
    const names = [...new Set([...this.tables.map((t) => t.table), ...this.seedRows.map((s) => s.table)])];
    let live: { rows: RelationRow[]; fks: ForeignKey[] };
    try {
      live = await readCatalog(this.session.pool, names);
    } catch (e) {
      throw new ValidationError(
        [
          {
            field: 'postgres.url',
            message: this.session.unreachable('check', e) ?? `cannot query the database: ${(e as Error).message}`,
          },
        ],
        undefined,
        DATA_MAP_INVALID,
      );
    }
    const { relations, problems } = checkAgainstCatalog(this.tables, this.seedRows, live.rows);
    if (problems.length) throw new ValidationError(problems, undefined, DATA_MAP_INVALID);
    this.catalog = { relations, childrenFirst: childrenFirst(this.tables, this.byName, relations, live.fks) };
  }

  private async ready(): Promise<Catalog> {
    if (!this.catalog) await this.check();
    return this.catalog!;
  }

  /** The condition on `alias` (a row of `t`) that the row belongs to the subject. */
  private condition(t: MappedTable, alias: string, keys: SubjectKeys, params: Params): string {
    return subjectCondition(this.byName, t, alias, keys, params);
  }

  // -------------------------------------------------------------------------------------------------------
  // Rights

  async export(keys: SubjectKeys): Promise<SystemExport> {
    requireKeys(keys);
    const catalog = await this.ready();
    return this.session.transaction('export', keys, 'REPEATABLE READ READ ONLY', async (run) => {
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
    requireKeys(keys);
    const catalog = await this.ready();
    const done = await this.session.transaction('erase', keys, 'READ COMMITTED', async (run) => {
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
    requireKeys(keys);
    const catalog = await this.ready();
    const seedRows = seed ? validManifest(seed, this.system, this.seedRows, catalog) : [];
    const identity = subjectIdentity(keys, Boolean(seed));
    const scope = { tables: this.tables, byName: this.byName, catalog };
    return this.session.transaction('residue', keys, 'REPEATABLE READ READ ONLY', (run) =>
      findResidue(run, scope, keys, seedRows, identity),
    );
  }

  async update(keys: SubjectKeys, action: UpdateAction): Promise<TableUpdate[] | null> {
    requireKeys(keys);
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
    const done = await this.session.transaction(action.kind, keys, 'READ COMMITTED', async (run) => {
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
    const wanted = columnsReadLater(this.seedRows);
    return this.session.transaction('seed', keys, 'READ COMMITTED', async (run) => {
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
    const rows = validManifest(seed, this.system, this.seedRows, catalog);
    return this.session.transaction('removeSeed', null, 'READ COMMITTED', async (run) => {
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

  async close(): Promise<void> {
    await this.session.close();
  }
}
