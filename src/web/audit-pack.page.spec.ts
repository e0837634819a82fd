import type { PackView } from '../audit-packs/dto/pack.dto';
import { auditPackPage } from './audit-pack.page';

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
