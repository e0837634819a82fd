import type { SeedManifest, SystemExport } from './connectors/connector';
import { foreignInExport, missingFromExport } from './drill-checks';

const seed: SeedManifest = {
  system: 'p',
  rows: [
    { table: 'patients', key: { id: 7 }, values: {} },
    { table: 'public.appointments', key: { id: '12' }, values: {} },
  ],
};
const exp = (tables: SystemExport['tables']): SystemExport => ({ system: 'p', tables });

describe('drill checks', () => {
  it('a complete export of only the subject passes both checks (keys compared as text, schema-qualified names match)', () => {
    const e = exp([
      { table: 'patients', columns: ['id'], rows: [{ id: '7' }] },
      { table: 'appointments', columns: ['id'], rows: [{ id: 12 }] },
    ]);
    expect(missingFromExport(seed, e)).toEqual([]);
    expect(foreignInExport(seed, e)).toEqual([]);
  });

  it('names a seeded row missing from the export, and a table the export left out', () => {
    expect(missingFromExport(seed, exp([{ table: 'patients', columns: ['id'], rows: [{ id: 8 }] }]))).toEqual([
      'patients {"id":7}',
      'public.appointments {"id":"12"}',
    ]);
    // A table whose export leaves out the key column cannot prove the row is there.
    expect(
      missingFromExport(
        seed,
        exp([
          { table: 'patients', columns: ['name'], rows: [{ name: 'x' }] },
          { table: 'appointments', columns: ['id'], rows: [{ id: 12 }] },
        ]),
      ),
    ).toEqual(['patients {"id":7}']);
  });

  it('counts rows that are not the subject’s per table', () => {
    const e = exp([
      { table: 'patients', columns: ['id'], rows: [{ id: 7 }, { id: 99 }] },
      { table: 'newsletter', columns: ['id'], rows: [{ id: 1 }] },
    ]);
    expect(foreignInExport(seed, e)).toEqual([
      { table: 'patients', rows: 1 },
      { table: 'newsletter', rows: 1 },
    ]);
  });
});
