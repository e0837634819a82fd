import type { PackView } from '../audit-packs/dto/pack.dto';
import type { EngagementView } from '../engagements/dto/engagement.dto';
import { auditPackPage, auditPacksPage } from './audit-pack.page';

const pack = (status: string, stage: string | null) =>
  ({ id: 'p', framework: 'soc2', from: '2026-01-01', to: '2026-06-30', status, stage }) as unknown as PackView;

describe('auditPackPage', () => {
  it('marks the stage a building pack is in', () => {
    const page = auditPackPage(pack('building', 'signing'));
    expect([page.building, page.done, page.failed]).toEqual([true, false, false]);
    expect(page.stages.filter((s) => s.current).map((s) => s.name)).toEqual(['signing']);
    expect(page.pageTitle).toBe('Audit pack soc2 2026-01-01–2026-06-30');
  });

  it.each([
    ['queued', [true, false, false]],
    ['done', [false, true, false]],
    ['failed', [false, false, true]],
  ])('a %s pack', (status, flags) => {
    const page = auditPackPage(pack(status, null));
    expect([page.building, page.done, page.failed]).toEqual(flags);
  });
});

describe('auditPacksPage', () => {
  const list = {
    items: [
      {
        ...pack('done', 'done'),
        requestedBy: 'user:u1',
        engagementId: 'e1',
        zip: { bytes: 2048 },
        pdf: { bytes: 1024 },
      },
      { ...pack('queued', null), id: 'q', requestedBy: 'system:cli', engagementId: null, zip: null, pdf: null },
    ] as unknown as PackView[],
    total: 2,
    limit: 50,
    offset: 0,
  };
  const engagement = {
    id: 'e1',
    auditorName: 'Alex Auditor',
    frameworks: ['soc2'],
    from: '2026-01-01',
    to: '2026-12-31',
    state: 'active',
  } as unknown as EngagementView;
  const input = {
    list,
    names: new Map([['u1', 'Chanida Srisuk']]),
    engagements: [engagement],
    frameworks: [{ key: 'soc2', name: 'SOC 2' }],
    engagementRequired: true,
    form: null,
    formKey: 'k',
    today: '2026-12-07',
  };

  it('names who asked, the engagement and the size; never a user id', () => {
    const page = auditPacksPage(input);
    expect(page.packs.map((p) => [p.requestedByName, p.engagement, p.zipSize])).toEqual([
      ['Chanida Srisuk', 'soc2 · 2026-01-01 – 2026-12-31 · Alex Auditor', '2.0 KiB'],
      ['the system', null, null],
    ]);
    expect(page.next).toBeNull();
  });

  it('fills the form from the first active engagement, or keeps what a refused form held', () => {
    expect(auditPacksPage(input).request?.values).toEqual({
      framework: 'soc2',
      from: '2026-01-01',
      to: '2026-12-31',
      engagementId: 'e1',
    });
    const refused = auditPacksPage({
      ...input,
      form: { values: { framework: 'soc2', from: '2026-03-01', to: '2026-02-01' }, errors: { to: 'x' }, detail: 'd' },
    });
    expect(refused.request?.values.from).toBe('2026-03-01');
    expect(refused.request?.errors).toEqual({ to: 'x' });
    expect(auditPacksPage({ ...input, frameworks: null }).request).toBeNull();
  });
});
