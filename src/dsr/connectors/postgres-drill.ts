// What the PostgreSQL connector's drills share (seed, removeSeed and residue in postgres.connector.ts): the
// synthetic subject's name, the seed values with their placeholders filled in, and the check of a seed
// manifest handed back.
import { createHash } from 'node:crypto';
import { FieldProblem, ValidationError } from '../../common/errors/app-error';
import { ColumnValue, SeedRow, seedPlaceholders } from '../domain/data-map';
import type { SubjectKeys } from '../domain/dsr-model';
import type { SeedManifest } from './connector';
import type { Catalog } from './postgres-catalog';

/** A recognisable synthetic name for the drill subject, stable for the same keys. */
export function drillSubjectName(keys: SubjectKeys): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([keys.email, keys.phone, keys.nationalId]))
    .digest('hex');
  return `Drill Subject ${digest.slice(0, 8)}`;
}

/** Columns later rows read from each `as` row, returned by its INSERT. */
export function columnsReadLater(seedRows: SeedRow[]): Map<string, Set<string>> {
  const wanted = new Map<string, Set<string>>();
  for (const s of seedRows) {
    for (const v of Object.values(s.values)) {
      if (typeof v !== 'string') continue;
      for (const p of seedPlaceholders(v))
        if (p.as && p.column) (wanted.get(p.as) ?? wanted.set(p.as, new Set()).get(p.as)!).add(p.column);
    }
  }
  return wanted;
}

export function substitute(
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

/** A manifest's rows, after checking they name tables and keys this connector seeds (they reach SQL). */
export function validManifest(
  seed: SeedManifest,
  system: string,
  seedRows: SeedRow[],
  catalog: Catalog,
): SeedManifest['rows'] {
  const problems: FieldProblem[] = [];
  if (seed.system !== system) problems.push({ field: 'seed.system', message: `is "${seed.system}", not "${system}"` });
  const seeded = new Set(seedRows.map((s) => s.table));
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
