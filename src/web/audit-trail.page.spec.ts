import { auditTrailPage, DETAIL_CHARS } from './audit-trail.page';
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
      { person: 'compliance@demo.local', from: '2026-01-01', offset: 50 },
      { items: [entry(70), entry(69, { subjectId: null, data: {} })], total: 120, limit: 50, offset: 50 },
      { ok: true, entries: 120, checkpoints: 1 },
      new Map([['u1', 'Chanida Srisuk']]),
      { kind: 'actor', actor: 'user:u1', label: 'Chanida Srisuk <compliance@demo.local>' },
    );
    expect(page.filter).toEqual({
      person: 'compliance@demo.local',
      action: '',
      subjectType: '',
      subjectId: '',
      from: '2026-01-01',
      to: '',
    });
    expect(page.entries[0]).toEqual({
      seq: 70,
      at: '2026-01-05 10:00:00 ICT',
      atDay: '2026-01-05',
      atClock: '10:00:00 ICT',
      atUtc: '2026-01-05T03:00:00.000Z',
      actor: 'Chanida Srisuk',
      actorRef: 'user:u1',
      action: 'user.create',
      subject: 'User id70',
      subjectRef: 'User id70',
      data: '{"role":"auditor"}',
      dataFull: '{"role":"auditor"}',
      hash: entry(70).hash,
      shortHash: entry(70).hash.slice(0, 12),
    });
    expect(page.entries[1].subject).toBe('User');
    expect(page.entries[1].data).toBe('');
    expect([page.shownFrom, page.shownTo, page.total]).toEqual([51, 52, 120]);
    expect(page.previous).toBe('?person=compliance%40demo.local&from=2026-01-01&offset=0');
    expect(page.next).toBe('?person=compliance%40demo.local&from=2026-01-01&offset=100');
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
      new Map(),
      { kind: 'none' },
    );
    expect([page.previous, page.next, page.shownFrom, page.shownTo]).toEqual([null, null, 0, 0]);
    expect(page.verify).toEqual({ ok: false, headline: 'Broken at entry 7', detail: 'Entry 7: entry 7 is missing.' });
  });

  it('keeps a non-default page size in the links and marks unreadable content', () => {
    const page = auditTrailPage(
      { limit: 1 },
      { items: [entry(3, { data: null })], total: 3, limit: 1, offset: 1 },
      { ok: true, entries: 3, checkpoints: 0 },
      new Map(),
      { kind: 'none' },
    );
    expect(page.previous).toBe('?limit=1&offset=0');
    expect(page.next).toBe('?limit=1&offset=2');
    expect(page.entries[0].data).toBe('(unreadable)');
    expect(page.verify.detail).toBe('3 entries verified against 0 signed checkpoints.');
  });

  it('names people (a user no longer known as such), shortens UUIDs and long details, offers choices', () => {
    const uuid = '97833cd2-1111-4222-8333-444455556666';
    const page = auditTrailPage(
      {},
      {
        items: [
          entry(5, { actor: `user:${uuid}`, subjectId: uuid, data: { text: 'x'.repeat(400) } }),
          entry(4, { actor: 'user:gone', subjectType: 'Evidence', subjectId: uuid }),
          entry(3, { actor: 'system:cli' }),
        ],
        total: 3,
        limit: 50,
        offset: 0,
      },
      { ok: true, entries: 3, checkpoints: 0 },
      new Map([[uuid, 'Alex Auditor']]),
      { kind: 'choose', people: [{ name: 'Somchai Jaidee', email: 'owner@demo.local' }] },
    );
    expect(page.entries.map((e) => e.actor)).toEqual(['Alex Auditor', 'a former user', 'system:cli']);
    expect(page.entries.map((e) => e.subject)).toEqual(['User Alex Auditor', 'Evidence 97833cd2…', 'User id3']);
    expect(page.entries[1].subjectRef).toBe(`Evidence ${uuid}`);
    expect(page.entries[0].data).toHaveLength(DETAIL_CHARS);
    expect(page.entries[0].dataFull).toHaveLength(411);
    expect(page.person.choices).toEqual([
      { name: 'Somchai Jaidee', email: 'owner@demo.local', href: '?person=owner%40demo.local' },
    ]);
  });
});
