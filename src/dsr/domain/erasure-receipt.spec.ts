import { erasureReceipt, residueLeft, type ReceiptInput } from './erasure-receipt';

const DAY = 86_400_000;
const received = new Date('2026-03-01T00:00:00Z');
const erased = new Date('2026-03-10T00:00:00Z');

function input(over: Partial<ReceiptInput> = {}): ReceiptInput {
  return {
    request: { reference: 'DSR-1', right: 'erasure', ground: null, receivedAt: received, statutoryDueAt: null },
    erasedAt: erased,
    erasures: [
      {
        system: 'app',
        tables: [
          { table: 'users', rule: 'delete', rows: 1 },
          { table: 'orders', rule: 'anonymise', rows: 3 },
          { table: 'invoices', rule: 'retain', rows: 2, basis: 'Revenue Code s. 87/3', retention: '5 years' },
        ],
      },
    ],
    residue: [
      {
        system: 'app',
        tables: [
          { table: 'users', rows: 0, retained: false },
          { table: 'invoices', rows: 2, retained: true, basis: 'Revenue Code s. 87/3' },
        ],
      },
    ],
    manualPending: [],
    methods: new Map([['app', new Map([['orders', { method: 'pseudonymise' as const, linkedBy: ['invoices'] }]])]]),
    backupRetentionDays: 30,
    ...over,
  };
}

describe('erasure receipt', () => {
  it('names the method used per table and totals them', () => {
    const r = erasureReceipt(input());
    expect(r.systems[0].tables[1]).toEqual({
      table: 'orders',
      rule: 'anonymise',
      method: 'pseudonymise',
      rows: 3,
      linkedBy: ['invoices'],
    });
    expect(r.totals).toEqual({ deleted: 1, anonymised: 0, pseudonymised: 3, retained: 2 });
  });

  it('lists what remains and tells the subject when anything but deletion was used', () => {
    const r = erasureReceipt(input());
    expect(r.remains.map((x) => [x.table, x.method])).toEqual([
      ['orders', 'pseudonymise'],
      ['invoices', 'retain'],
    ]);
    expect(r.subjectToBeTold).toBe(true);
    const deletedOnly = erasureReceipt(
      input({ erasures: [{ system: 'app', tables: [{ table: 'u', rule: 'delete', rows: 1 }] }] }),
    );
    expect([deletedOnly.remains, deletedOnly.subjectToBeTold]).toEqual([[], false]);
  });

  it('keeps only residue rows found, and says whether backups expire within the statutory period', () => {
    const r = erasureReceipt(input());
    expect(r.residue).toEqual([
      { system: 'app', tables: [{ table: 'invoices', rows: 2, retained: true, basis: 'Revenue Code s. 87/3' }] },
    ]);
    expect(r.backups).toEqual({
      retentionDays: 30,
      expireAt: new Date(erased.getTime() + 30 * DAY).toISOString(),
      statutoryDeadline: new Date(received.getTime() + 90 * DAY).toISOString(),
      withinStatutoryPeriod: true,
    });
    expect(erasureReceipt(input({ backupRetentionDays: 85 })).backups.withinStatutoryPeriod).toBe(false);
  });

  it('records that anonymisation is refused for unlawful processing', () => {
    const r = erasureReceipt(input({ request: { ...input().request, ground: 'unlawful_processing' } }));
    expect(r.anonymisationAllowed).toBe(false);
  });
});

describe('residue left', () => {
  it('counts rows the map does not retain', () => {
    expect(
      residueLeft([
        {
          system: 'app',
          tables: [
            { table: 'users', rows: 1, retained: false },
            { table: 'logs', rows: 2, retained: false },
            { table: 'invoices', rows: 2, retained: true },
            { table: 'orders', rows: 0, retained: false },
          ],
        },
      ]),
    ).toEqual(['app.users (1 row)', 'app.logs (2 rows)']);
  });
});
