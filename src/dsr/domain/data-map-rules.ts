// The rules between the fields of a postgres data map, once its shape is valid: tables mapped once, columns
// listed once, join parents that are mapped tables, no join cycles, and drill seed rows whose placeholders
// resolve to an earlier row.
import { type PostgresMap, seedPlaceholders } from './data-map-model';

export type Path = readonly (string | number)[];
export interface PathProblem {
  path: Path;
  message: string;
}

const at = (...p: (string | number)[]): Path => ['postgres', ...p];

export function postgresRules(map: PostgresMap): PathProblem[] {
  const problems: PathProblem[] = [];
  const index = tableIndex(map, problems);
  columnsAndJoins(map, index, problems);
  joinCycles(map, index, problems);
  seedRules(map, problems);
  return problems;
}

/** Each table's position, by name (its first mapping); a table mapped twice is a problem. */
function tableIndex(map: PostgresMap, problems: PathProblem[]): Map<string, number> {
  const index = new Map<string, number>();
  map.tables.forEach((t, i) => {
    if (index.has(t.table))
      problems.push({
        path: at('tables', i, 'table'),
        message: `table "${t.table}" is already mapped at tables[${index.get(t.table)}]`,
      });
    else index.set(t.table, i);
  });
  return index;
}

function columnsAndJoins(map: PostgresMap, index: Map<string, number>, problems: PathProblem[]): void {
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
}

/** Cycles through joins (a table whose parent chain comes back to it). */
function joinCycles(map: PostgresMap, index: Map<string, number>, problems: PathProblem[]): void {
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
}

/** Drill seed: unique `as`, placeholders that resolve to an earlier row. */
function seedRules(map: PostgresMap, problems: PathProblem[]): void {
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
}
