// The PostgreSQL connector's check of its map against the live catalog (check() in postgres.connector.ts):
// every mapped and seeded table exists, is a table, the connection's role has the privileges the map's
// rules need, and every column the map names exists.
//
// Order: erasure and updates run children before parents — by the map's joins and by the foreign keys
// between mapped tables found in pg_constraint — so a parent is anonymised (losing the identifiers its
// children are found by) or deleted only after its children were handled.
import type { Pool } from 'pg';
import type { FieldProblem } from '../../common/errors/app-error';
import { formatFieldPath, MappedTable, SeedRow, seedPlaceholders, SUBJECT_KEY_NAMES } from '../domain/data-map';
import { quoteTable } from './postgres-sql';

export interface RelationInfo {
  /** pg_class oid, as text (oids are unsigned 32-bit). */
  oid: string;
  columns: Set<string>;
  primaryKey: string[];
}

export interface Catalog {
  /** Mapped and seeded tables by the name the map gives them. */
  relations: Map<string, RelationInfo>;
  /** Mapped tables, children before parents. */
  childrenFirst: MappedTable[];
}

/** One table the map names, as the live catalog has it (oid null: no such relation). */
export interface RelationRow {
  name: string;
  oid: string | null;
  relkind: string | null;
  sel: boolean;
  ins: boolean;
  upd: boolean;
  del: boolean;
  columns: string[] | null;
  pk: string[] | null;
}

export interface ForeignKey {
  child: string;
  parent: string;
}

type Problem = { path: (string | number)[]; message: string };
type Privilege = 'sel' | 'ins' | 'upd' | 'del';

/** The relations named (in that order) and the foreign keys between them, by oid. */
export async function readCatalog(pool: Pool, names: string[]): Promise<{ rows: RelationRow[]; fks: ForeignKey[] }> {
  const result = await pool.query(
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
  const rows: RelationRow[] = result.rows.map((r) => ({ ...r, name: names[Number(r.ord) - 1] }));
  const oids = rows.map((r) => r.oid).filter((o): o is string => o !== null);
  const fks: ForeignKey[] = (
    await pool.query(
      `SELECT DISTINCT conrelid::text AS child, confrelid::text AS parent FROM pg_constraint
        WHERE contype = 'f' AND conrelid = ANY ($1::oid[]) AND confrelid = ANY ($1::oid[]) AND conrelid <> confrelid`,
      [oids],
    )
  ).rows;
  return { rows, fks };
}

/** The relations of the map's tables and seeded rows, and every problem found, in map order. */
export function checkAgainstCatalog(
  tables: MappedTable[],
  seedRows: SeedRow[],
  rows: RelationRow[],
): { relations: Map<string, RelationInfo>; problems: FieldProblem[] } {
  const check = new CatalogCheck(new Map(rows.map((r) => [r.name, r])));
  checkTables(check, tables);
  checkJoins(check, tables);
  checkSeedRows(check, seedRows);
  const problems = check.problems.map((p) => ({ field: formatFieldPath(p.path), message: p.message }));
  return { relations: check.relations, problems };
}

/** Collects the problems and the relations found while checking. */
class CatalogCheck {
  readonly problems: Problem[] = [];
  readonly relations = new Map<string, RelationInfo>();

  constructor(private readonly info: Map<string, RelationRow>) {}

  relation(name: string, path: (string | number)[], needs: Privilege[]): RelationInfo | null {
    const r = this.info.get(name)!;
    if (r.oid === null) {
      this.problems.push({ path, message: `table "${name}" does not exist` });
      return null;
    }
    if (r.relkind !== 'r' && r.relkind !== 'p') {
      this.problems.push({ path, message: `"${name}" is not a table` });
      return null;
    }
    const verbs = { sel: 'SELECT', ins: 'INSERT', upd: 'UPDATE', del: 'DELETE' } as const;
    const missing = needs.filter((n) => !r[n]).map((n) => verbs[n]);
    if (missing.length)
      this.problems.push({ path, message: `the connection's role lacks ${missing.join(', ')} on "${name}"` });
    const rel = { oid: r.oid, columns: new Set(r.columns ?? []), primaryKey: r.pk ?? [] };
    this.relations.set(name, rel);
    return rel;
  }

  column(rel: RelationInfo | null | undefined, table: string, col: string, path: (string | number)[]): void {
    if (rel && !rel.columns.has(col))
      this.problems.push({ path, message: `column "${col}" does not exist in table "${table}"` });
  }
}

const tablePath = (i: number, ...p: (string | number)[]) => ['postgres', 'tables', i, ...p];

function checkTables(check: CatalogCheck, tables: MappedTable[]): void {
  const firstByOid = new Map<string, number>();
  tables.forEach((t, i) => {
    const needs: Array<'sel' | 'upd' | 'del'> = ['sel'];
    if (t.erase.rule === 'delete') needs.push('del');
    if (t.erase.rule === 'anonymise' || t.rectify || t.restrict) needs.push('upd');
    const rel = check.relation(t.table, tablePath(i, 'table'), needs);
    if (!rel) return;
    const earlier = firstByOid.get(rel.oid);
    if (earlier !== undefined)
      check.problems.push({
        path: tablePath(i, 'table'),
        message: `is the same table as tables[${earlier}] ("${tables[earlier].table}")`,
      });
    else firstByOid.set(rel.oid, i);
    for (const k of SUBJECT_KEY_NAMES) {
      const col = t.find[k];
      if (col) check.column(rel, t.table, col, tablePath(i, 'find', k));
    }
    t.export.forEach((c, j) => check.column(rel, t.table, c, tablePath(i, 'export', j)));
    if (t.erase.rule === 'anonymise')
      for (const c of Object.keys(t.erase.set)) check.column(rel, t.table, c, tablePath(i, 'erase', 'set', c));
    t.rectify?.forEach((c, j) => check.column(rel, t.table, c, tablePath(i, 'rectify', j)));
    for (const c of Object.keys(t.restrict ?? {})) check.column(rel, t.table, c, tablePath(i, 'restrict', c));
  });
}

/** Joins, once every mapped table is known. */
function checkJoins(check: CatalogCheck, tables: MappedTable[]): void {
  tables.forEach((t, i) => {
    const j = t.find.join;
    if (!j) return;
    check.column(check.relations.get(t.table), t.table, j.column, tablePath(i, 'find', 'join', 'column'));
    check.column(check.relations.get(j.parent), j.parent, j.parentColumn, tablePath(i, 'find', 'join', 'parentColumn'));
  });
}

function checkSeedRows(check: CatalogCheck, seedRows: SeedRow[]): void {
  const aliasTable = new Map<string, string>();
  seedRows.forEach((s, i) => {
    const path = ['postgres', 'drill', 'seed', i];
    const needs: Array<'sel' | 'ins' | 'del'> = ['sel', 'ins', 'del'];
    const rel = check.relation(s.table, [...path, 'table'], needs);
    if (rel && rel.primaryKey.length === 0)
      check.problems.push({
        path: [...path, 'table'],
        message: `table "${s.table}" has no primary key: seeded rows must be found again by key`,
      });
    for (const [c, v] of Object.entries(s.values)) {
      check.column(rel, s.table, c, [...path, 'values', c]);
      if (typeof v !== 'string') continue;
      for (const p of seedPlaceholders(v)) {
        if (p.as === undefined || p.column === undefined) continue;
        const table = aliasTable.get(p.as);
        if (table !== undefined) check.column(check.relations.get(table), table, p.column, [...path, 'values', c]);
      }
    }
    if (s.as !== undefined) aliasTable.set(s.as, s.table);
  });
}

/** Mapped tables ordered so that every child (by join or foreign key) comes before its parent: leaves first, parents last. */
export function childrenFirst(
  tables: MappedTable[],
  byName: ReadonlyMap<string, MappedTable>,
  relations: Map<string, RelationInfo>,
  fks: ForeignKey[],
): MappedTable[] {
  const index = new Map(tables.map((t, i) => [relations.get(t.table)!.oid, i]));
  const parents = tables.map(() => new Set<number>());
  for (const fk of fks) {
    const c = index.get(fk.child);
    const p = index.get(fk.parent);
    if (c !== undefined && p !== undefined) parents[c].add(p);
  }
  tables.forEach((t, i) => {
    if (t.find.join) parents[i].add(tables.indexOf(byName.get(t.find.join.parent)!));
  });
  const pendingChildren = tables.map(() => 0);
  parents.forEach((ps) => ps.forEach((p) => pendingChildren[p]++));
  const done = new Set<number>();
  const order: MappedTable[] = [];
  const isParent = pendingChildren.map((n) => n > 0);
  while (order.length < tables.length) {
    // Tables without children first, then parents once their children are done, each in map order (so a
    // root such as patients goes last); on a foreign-key cycle, the first table left.
    const ready = tables.map((_, i) => i).filter((i) => !done.has(i) && pendingChildren[i] === 0);
    let next = ready.find((i) => !isParent[i]) ?? ready[0] ?? -1;
    if (next < 0) next = tables.findIndex((_, i) => !done.has(i));
    done.add(next);
    order.push(tables[next]);
    parents[next].forEach((p) => pendingChildren[p]--);
  }
  return order;
}
