import { auditTrailPage } from './audit-trail.page';
import type { AuditLogEntryView } from '../audit-trail/dto/audit-log-entry.dto';

const entry = (seq: number, over: Partial<AuditLogEntryView> = {}): AuditLogEntryView => ({
  seq,
  at: '2026-01-05T03:00:00.000Z',
  actor: 'user:u1',
  action: 'user.create',
  subjectType: 'User',
  subjectId: `id${seq}`,
  data: { role: 'auditor' },
  prevHash: '0'.repeat(64),
  hash: `${seq}`.padStart(64, 'a'),
  ...over,
});

describe('auditTrailPage', () => {
  it('shows entries, keeps the filter in the paging links and reports an intact chain', () => {
    const page = auditTrailPage(
      { actor: 'user:u1', from: '2026-01-01', offset: 50 },
      { items: [entry(70), entry(69, { subjectId: null, data: {} })], total: 120, limit: 50, offset: 50 },
      { ok: true, entries: 120, checkpoints: 1 },
    );
    expect(page.filter).toEqual({
      actor: 'user:u1',
      action: '',
      subjectType: '',
      subjectId: '',
      from: '2026-01-01',
      to: '',
    });
    expect(page.entries[0]).toEqual({
      seq: 70,
      at: '2026-01-05T03:00:00.000Z',
      actor: 'user:u1',
      action: 'user.create',
      subject: 'User id70',
      data: '{"role":"auditor"}',
      hash: entry(70).hash,
      shortHash: entry(70).hash.slice(0, 12),
    });
    expect(page.entries[1].subject).toBe('User');
    expect(page.entries[1].data).toBe('');
    expect([page.shownFrom, page.shownTo, page.total]).toEqual([51, 52, 120]);
    expect(page.previous).toBe('?actor=user%3Au1&from=2026-01-01&offset=0');
    expect(page.next).toBe('?actor=user%3Au1&from=2026-01-01&offset=100');
    expect(page.verify).toEqual({
      ok: true,
      headline: 'Chain intact',
      detail: '120 entries verified against 1 signed checkpoint.',
    });
  });

  it('has no paging links on a single page and reports a broken chain with its seq and reason', () => {
    const page = auditTrailPage(
      {},
      { items: [], total: 0, limit: 20, offset: 0 },
      { ok: false, brokenAtSeq: 7, reason: 'entry 7 is missing', entries: 6 },
    );
    expect([page.previous, page.next, page.shownFrom, page.shownTo]).toEqual([null, null, 0, 0]);
    expect(page.verify).toEqual({ ok: false, headline: 'Broken at entry 7', detail: 'Entry 7: entry 7 is missing.' });
  });

  it('keeps a non-default page size in the links and marks unreadable content', () => {
    const page = auditTrailPage(
      { limit: 1 },
      { items: [entry(3, { data: null })], total: 3, limit: 1, offset: 1 },
      { ok: true, entries: 3, checkpoints: 0 },
    );
    expect(page.previous).toBe('?limit=1&offset=0');
    expect(page.next).toBe('?limit=1&offset=2');
    expect(page.entries[0].data).toBe('(unreadable)');
    expect(page.verify.detail).toBe('3 entries verified against 0 signed checkpoints.');
  });
});
