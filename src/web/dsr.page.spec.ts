import type { DsrRequestView } from '../dsr/dto/dsr.dto';
import { clockCell, describeDuration, drillRow, receiptView, timeline } from './dsr.page';

const base: DsrRequestView = {
  id: 'r1',
  reference: 'DSR-2026-00001',
  right: 'erasure',
  ground: 'no_longer_necessary',
  section: 'PDPA s. 33',
  channel: 'in_person',
  status: 'received',
  receivedAt: '2026-11-01T03:00:00.000Z',
  isRepresentative: false,
  isDrill: false,
  clocks: {
    internal: { dueAt: '2026-11-08T03:00:00.000Z', remainingMs: -3_600_000, state: 'overdue' },
    statutory: null,
    identityWaitMs: 90 * 60_000,
  },
  verifiedAt: null,
  separatedAt: null,
  verificationMethod: null,
  rejectionReason: null,
  closingNote: null,
  closedAt: null,
  lastError: null,
  erasureScheduledFor: null,
  erasedAt: null,
  backupsExpireAt: null,
  exportedAt: null,
  exportAvailable: false,
  exportSha256: null,
  exportBytes: null,
  receipt: null,
  receiptEvidenceId: null,
  legalHolds: [],
  actions: [],
  version: 1,
};

describe('DSR page view models', () => {
  it.each([
    [{ dueAt: 'x', remainingMs: 3 * 86_400_000 + 4 * 3_600_000, state: 'ok' as const }, '3d 4h left', 'on time', true],
    [{ dueAt: 'x', remainingMs: -2 * 3_600_000, state: 'overdue' as const }, '2h 0m late', 'overdue', true],
    [{ dueAt: 'x', remainingMs: null, state: 'met' as const }, 'met', 'met', false],
    [{ dueAt: 'x', remainingMs: null, state: 'missed' as const }, 'missed', 'missed', false],
  ])('shows a clock as time left or late while open, met or missed once closed (%#)', (clock, text, label, open) => {
    expect(clockCell(clock)).toEqual({ dueAt: 'x', text, state: clock.state, label, open });
  });

  it('has no cell for a right without a statutory period', () => expect(clockCell(null)).toBeNull());

  it.each([
    [0, '0m'],
    [59_999, '0m'],
    [61 * 60_000, '1h 1m'],
    [26 * 3_600_000, '1d 2h'],
    [-5, '0m'],
  ])('describes %d ms as %s', (ms, text) => expect(describeDuration(ms)).toBe(text));

  it('builds the timeline from the request’s own timestamps only', () => {
    expect(timeline(base).map((s) => [s.key, s.done, s.detail])).toEqual([
      ['received', true, 'by in person'],
      ['verified', false, 'waiting 1h 30m'],
    ]);
    // A step not done never carries the done wording (issue 12: "Identity verified" shown before it was).
    expect(timeline(base)[1].label).toBe('Identity not verified yet');
    const refused = timeline({
      ...base,
      status: 'rejected',
      closedAt: '2026-11-01T04:30:00.000Z',
      rejectionReason: 'no answer',
    });
    expect(refused.map((s) => [s.key, s.label, s.done])).toEqual([
      ['received', 'Received', true],
      ['verified', 'Identity never verified', false],
      ['rejected', 'Rejected', true],
    ]);
    const done = timeline({
      ...base,
      status: 'completed',
      verifiedAt: '2026-11-01T04:30:00.000Z',
      verificationMethod: 'id_document',
      erasedAt: '2026-11-02T00:00:00.000Z',
      closedAt: '2026-11-02T00:00:00.000Z',
      closingNote: 'done',
      exportedAt: null,
    });
    expect(done.map((s) => s.key)).toEqual(['received', 'verified', 'erased', 'completed']);
    expect(done[1].detail).toBe('identity document, after 1h 30m');
  });

  it('reads a receipt defensively: missing parts become empty, never invented', () => {
    expect(receiptView(null)).toBeNull();
    expect(receiptView({})).toEqual({
      ground: null,
      totals: { deleted: 0, anonymised: 0, pseudonymised: 0, retained: 0 },
      tables: [],
      remains: [],
      subjectToBeTold: false,
      residue: [],
      manualPending: [],
      backups: null,
    });
    const view = receiptView({
      systems: [
        {
          system: 'p',
          tables: [
            { table: 'encounters', rule: 'retain', rows: 2, basis: 'law', retention: 'P10Y' },
            { table: 'posts', rule: 'delete', rows: 1 },
          ],
        },
      ],
    })!;
    expect(view.tables).toEqual([
      {
        system: 'p',
        table: 'encounters',
        rule: 'retain',
        method: 'retain',
        ruleLabel: 'retained',
        insteadOf: null,
        linkedBy: [],
        rows: 2,
        basis: 'law',
        retention: 'P10Y',
      },
      {
        system: 'p',
        table: 'posts',
        rule: 'delete',
        method: 'delete',
        ruleLabel: 'deleted',
        insteadOf: null,
        linkedBy: [],
        rows: 1,
        basis: null,
        retention: null,
      },
    ]);
    // What remains is said, with where and why; the subject is to be told.
    expect(view.remains.map((t) => `${t.system}.${t.table} ${t.ruleLabel}`)).toEqual(['p.encounters retained']);
    expect(view.subjectToBeTold).toBe(true);
  });

  it('calls a profile still linked by retained rows pseudonymised, not anonymised', () => {
    const view = receiptView({
      ground: 'no_longer_necessary',
      systems: [
        {
          system: 'p',
          tables: [{ table: 'patients', rule: 'anonymise', method: 'pseudonymise', linkedBy: ['encounters'], rows: 1 }],
        },
      ],
      totals: { deleted: 0, anonymised: 0, pseudonymised: 1, retained: 0 },
    })!;
    expect(view.tables[0]).toMatchObject({ ruleLabel: 'pseudonymised', linkedBy: ['encounters'] });
    expect(view.ground).toBe('no longer necessary (s. 33 para 1 (1))');
  });

  it('shows an objection’s statutory clock as the time from receipt to separation, never a day count', () => {
    expect(
      clockCell({ dueAt: 'x', remainingMs: null, state: 'met', measure: 'separation', elapsedMs: 5_000 }),
    ).toMatchObject({ text: 'met: separated 5 s after receipt', state: 'met' });
    expect(
      clockCell({ dueAt: null, remainingMs: null, state: 'not_owed', measure: 'separation', elapsedMs: 2 * 3_600_000 })!
        .text,
    ).toBe('not owed: identity not verified (2h 0m since receipt)');
    expect(
      clockCell({ dueAt: 'x', remainingMs: 50 * 60_000, state: 'ok', measure: 'separation', elapsedMs: 10 * 60_000 })!
        .text,
    ).toBe('separation pending 10m after receipt, 50m left');
  });

  it('orders a direct-marketing objection’s separation before its identity verification', () => {
    const steps = timeline({
      ...base,
      right: 'objection',
      ground: 'direct_marketing',
      section: 'PDPA s. 32',
      separatedAt: '2026-11-01T03:00:05.000Z',
    });
    expect(steps.map((s) => [s.key, s.done])).toEqual([
      ['received', true],
      ['separated', true],
      ['verified', false],
    ]);
    expect(steps[1].detail).toBe('5 s after receipt (PDPA s. 32 para 2)');
  });

  it('shows a drill still running without a result it does not have', () => {
    expect(
      drillRow({
        id: 'd',
        trigger: 'api',
        startedAt: 'x',
        finishedAt: null,
        passed: null,
        evidenceId: null,
        report: null,
      }),
    ).toMatchObject({ result: 'running', duration: null, residue: null, failures: [], systems: [] });
  });
});
