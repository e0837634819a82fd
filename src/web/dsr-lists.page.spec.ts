import { dsrDrillsPage, dsrQueuePage, dsrTasksPage } from './dsr-lists.page';

describe('dsrQueuePage', () => {
  it('keeps the filters in the paging links and counts the rows shown', () => {
    const page = dsrQueuePage({
      query: { status: 'verified', open: true, q: 'DSR-2026' } as any,
      list: { items: [], total: 120, limit: 50, offset: 50 },
      showIdentity: false,
      canCreate: false,
      formKey: 'k',
    });
    expect([page.total, page.from, page.to]).toEqual([120, 51, 50]);
    expect(page.previous).toBe('?status=verified&open=1&q=DSR-2026&offset=0');
    expect(page.next).toBe('?status=verified&open=1&q=DSR-2026&offset=100');
    expect(page.filter).toEqual({
      status: 'verified',
      right: '',
      open: true,
      overdue: false,
      drills: false,
      q: 'DSR-2026',
    });
    expect(page.grounds.objection.length).toBeGreaterThan(0);
  });
});

describe('dsrDrillsPage and dsrTasksPage', () => {
  it('links drill pages by offset only', () => {
    const page = dsrDrillsPage({ items: [], total: 30, limit: 10, offset: 10 }, true, 'k');
    expect([page.previous, page.next, page.canRun]).toEqual(['?offset=0', '?offset=20', true]);
  });

  it('keeps "all tasks" in the paging links, and marks the tasks still waiting', () => {
    const task = (status: string) =>
      ({ id: 'a', kind: 'manual_erasure', status, checklist: ['x', 'y'], requestId: 'r', reference: 'DSR-1' }) as any;
    const page = dsrTasksPage({
      open: false,
      list: { items: [task('awaiting_manual'), task('done')], total: 25, limit: 2, offset: 0 },
      canOpenRequests: false,
      formKey: 'k',
    });
    expect(page.next).toBe('?open=false&offset=2');
    expect(page.tasks.map((t) => [t.waiting, t.items])).toEqual([
      [true, 2],
      [false, 2],
    ]);
    expect(
      dsrTasksPage({
        open: true,
        list: { items: [], total: 5, limit: 2, offset: 0 },
        canOpenRequests: true,
        formKey: 'k',
      }).next,
    ).toBe('?offset=2');
  });
});
