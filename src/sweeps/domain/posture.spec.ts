import { frameworkPosture, PostureControl } from './posture';

const control = (
  id: string,
  freshness: PostureControl['freshness'],
  dept = 'engineering',
): [string, PostureControl] => [id, { id, key: id.toUpperCase(), ownerDepartment: dept, ownerUserId: null, freshness }];

describe('frameworkPosture', () => {
  const controls = new Map([
    control('a-01', 'fresh'),
    control('b-01', 'stale', 'privacy'),
    control('c-01', 'missing'),
    control('d-01', 'due_soon'),
  ]);

  it('counts a requirement fresh only when every mapped control is fresh, ignoring not-applicable ones', () => {
    const p = frameworkPosture(
      'soc2',
      [
        { ref: 'CC1.1', notApplicable: false, controlIds: ['a-01'] },
        { ref: 'CC1.2', notApplicable: false, controlIds: ['a-01', 'b-01'] },
        { ref: 'CC1.3', notApplicable: false, controlIds: ['d-01'] },
        { ref: 'PI1.1', notApplicable: true, controlIds: [] },
      ],
      controls,
    );
    expect(p).toMatchObject({ framework: 'soc2', applicable: 3, fresh: 1, notFresh: ['CC1.2', 'CC1.3'] });
    expect(p.share).toBeCloseTo(1 / 3);
    expect(p.attention.map((a) => [a.key, a.freshness])).toEqual([
      ['B-01', 'stale'],
      ['D-01', 'due_soon'],
    ]);
  });

  it('puts missing before stale before due soon', () => {
    const p = frameworkPosture(
      'x',
      [{ ref: 'r', notApplicable: false, controlIds: ['d-01', 'b-01', 'c-01'] }],
      controls,
    );
    expect(p.attention.map((a) => a.freshness)).toEqual(['missing', 'stale', 'due_soon']);
  });

  it('is 100% when nothing applies', () => {
    expect(frameworkPosture('x', [], controls).share).toBe(1);
  });

  it('lists the overdue reviews of documents supporting one of its controls, or no control, by key', () => {
    const review = (key: string, controls: string[]) => ({
      key,
      title: `${key} title`,
      ownerDepartment: 'compliance',
      nextReviewOn: '2026-11-30',
      controls,
    });
    const requirements = [{ ref: 'CC1.1', notApplicable: false, controlIds: ['a-01', 'b-01'] }];
    const p = frameworkPosture('soc2', requirements, controls, [
      review('POL-Z', ['B-01', 'OTHER-01']),
      review('POL-OTHER', ['OTHER-01']),
      review('POL-ALL', []),
    ]);
    expect(p.overdueReviews).toEqual([
      { key: 'POL-ALL', title: 'POL-ALL title', ownerDepartment: 'compliance', nextReviewOn: '2026-11-30' },
      { key: 'POL-Z', title: 'POL-Z title', ownerDepartment: 'compliance', nextReviewOn: '2026-11-30' },
    ]);
    // The counts do not move: a review is a document's state, not a control's evidence.
    expect(p).toMatchObject({ applicable: 1, fresh: 0 });
    expect(frameworkPosture('soc2', requirements, controls).overdueReviews).toEqual([]);
  });
});
