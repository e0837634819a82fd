// Erasure methods as the subject is told them (the erasure receipt): what erasure leaves of each mapped
// table's rows, given the map's rules and joins.
import type { MappedTable, PostgresMap } from './data-map-model';

/** What erasure leaves of a table's rows, in the words of the receipt and the data map. */
export type ErasureMethod = 'delete' | 'anonymise' | 'pseudonymise' | 'retain';

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
