// The PostgreSQL connector's residue check (residue() in postgres.connector.ts).
//
// Residue: the find again on every mapped table and, given a drill's seed manifest, every seeded row by
// primary key — still present in a delete table or in a table the map does not map: residue (this is how
// an incomplete map fails a drill); in an anonymise table: residue when an anonymised column still holds
// its seeded value or any column still contains the subject's keys or drill name; in a retain table:
// reported with retained=true and the basis. Without a manifest, rows kept under an anonymised parent are
// no longer reachable from the keys and count 0 (erase's report is what counts them).
import { ColumnValue, MappedTable, SUBJECT_KEY_NAMES } from '../domain/data-map';
import type { SubjectKeys } from '../domain/dsr-model';
import type { SeedManifest, TableResidue } from './connector';
import type { Catalog } from './postgres-catalog';
import { drillSubjectName } from './postgres-drill';
import type { RunStatement } from './postgres-session';
import { Params, quoteIdentifier, quoteTable, rowId, subjectCondition } from './postgres-sql';

export interface ResidueScope {
  tables: MappedTable[];
  byName: ReadonlyMap<string, MappedTable>;
  catalog: Catalog;
}

type SeededRow = SeedManifest['rows'][number];
/** Row ids still linked to the subject, by table. */
type Found = Map<string, Set<string>>;

/** What identifies the subject: the keys, and the synthetic name a drill seeded with them. */
export function subjectIdentity(keys: SubjectKeys, seeded: boolean): string[] {
  return [...SUBJECT_KEY_NAMES.map((k) => keys[k]), seeded ? drillSubjectName(keys) : null].filter(
    (v): v is string => typeof v === 'string' && v.length >= 3,
  );
}

export async function findResidue(
  run: RunStatement,
  scope: ResidueScope,
  keys: SubjectKeys,
  seedRows: SeededRow[],
  identity: string[],
): Promise<TableResidue[]> {
  const found: Found = new Map();
  for (const t of scope.tables) {
    found.set(t.table, new Set());
    for (const id of await rowsFoundByKeys(run, scope, t, keys)) found.get(t.table)!.add(id);
  }
  for (const row of seedRows) {
    if (!found.has(row.table)) found.set(row.table, new Set());
    const id = await seededRowLeft(run, scope, row, identity);
    if (id !== null) found.get(row.table)!.add(id);
  }
  const out: TableResidue[] = scope.tables.map((t) => {
    const rows = found.get(t.table)!.size;
    return t.erase.rule === 'retain'
      ? { table: t.table, rows, retained: true, basis: t.erase.basis }
      : { table: t.table, rows, retained: false };
  });
  for (const [table, ids] of found) if (!scope.byName.has(table)) out.push({ table, rows: ids.size, retained: false });
  return out;
}

async function rowsFoundByKeys(
  run: RunStatement,
  scope: ResidueScope,
  t: MappedTable,
  keys: SubjectKeys,
): Promise<string[]> {
  const params = new Params();
  const where = subjectCondition(scope.byName, t, 't0', keys, params);
  const r = await run(
    t.table,
    `SELECT ${rowId(scope.catalog.relations.get(t.table)!, 't0')} FROM ${quoteTable(t.table)} AS t0 WHERE ${where}`,
    params.values,
  );
  return r.rows.map((row) => row.row_id as string);
}

/** The seeded row's id when it is residue; null when it is gone, or anonymised and no longer the subject's. */
async function seededRowLeft(
  run: RunStatement,
  scope: ResidueScope,
  row: SeededRow,
  identity: string[],
): Promise<string | null> {
  const rel = scope.catalog.relations.get(row.table)!;
  const mapped = scope.byName.get(row.table);
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
    `SELECT ${rowId(rel, 't0')}${extra} FROM ${quoteTable(row.table)} AS t0 WHERE ${match}`,
    params.values,
  );
  if (r.rows.length === 0) return null;
  const current = r.rows[0];
  if (anonymise && !stillHolds(read, current, row.values, anonymise, identity)) return null;
  return current.row_id as string;
}

/**
 * Residue when an anonymised column still holds what the drill seeded there, or when any column still
 * contains the subject's identity (a column the map forgot to anonymise).
 */
function stillHolds(
  read: string[],
  current: Record<string, unknown>,
  seededValues: Record<string, unknown>,
  anonymise: Record<string, ColumnValue>,
  identity: string[],
): boolean {
  return read.some((c, i) => {
    const now = current[`c${i}`] as string | null;
    if (now === null) return false;
    const seeded = seededValues[c];
    const kept =
      c in anonymise &&
      seeded !== null &&
      seeded !== undefined &&
      String(seeded) === now &&
      String(seeded) !== String(anonymise[c]);
    return kept || identity.some((v) => now.includes(v));
  });
}
