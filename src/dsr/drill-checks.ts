import type { SeedManifest, SystemExport } from './connectors/connector';
import type { DrillSystemResult } from './domain/drill-report';

const keyText = (key: Record<string, unknown>): string => JSON.stringify(key);

/** A system's result before its steps: nothing seeded, exported or left. */
export function blank(system: string, kind: string, status: string): DrillSystemResult {
  return {
    system,
    kind,
    status,
    seeded: 0,
    exported: 0,
    missing: [],
    foreign: [],
    residue: 0,
    retained: [],
    exportMs: 0,
    eraseMs: 0,
  };
}

/** Seeded rows whose key values do not all appear in one exported row of the same table. */
export function missingFromExport(seed: SeedManifest, exp: SystemExport): string[] {
  const missing: string[] = [];
  for (const row of seed.rows) {
    const table = exp.tables.find(
      (t) => t.table === row.table || t.table.endsWith(`.${row.table}`) || row.table.endsWith(`.${t.table}`),
    );
    const found = table?.rows.some((r) =>
      Object.entries(row.key).every(([k, v]) => k in r && String(r[k]) === String(v)),
    );
    if (!found) missing.push(`${row.table} ${keyText(row.key)}`);
  }
  return missing;
}

/** Exported rows matching no seeded row's key, per table (seed keys are the tables' primary keys). */
export function foreignInExport(seed: SeedManifest, exp: SystemExport): { table: string; rows: number }[] {
  const out: { table: string; rows: number }[] = [];
  for (const table of exp.tables) {
    const seeded = seed.rows.filter(
      (r) => r.table === table.table || r.table.endsWith(`.${table.table}`) || table.table.endsWith(`.${r.table}`),
    );
    const foreign = table.rows.filter(
      (row) => !seeded.some((s) => Object.entries(s.key).every(([k, v]) => k in row && String(row[k]) === String(v))),
    ).length;
    if (foreign > 0) out.push({ table: table.table, rows: foreign });
  }
  return out;
}
