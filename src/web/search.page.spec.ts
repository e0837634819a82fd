import { HITS, SEARCH_SECTION_SIZE, searchPage, section } from './search.page';

const controls = (n: number, total = n) => ({
  items: Array.from({ length: n }, (_, i) => ({
    key: `ACC-${String(i + 1).padStart(2, '0')}`,
    title: 'Access',
    ownerDepartment: 'security',
  })),
  total,
});

describe('search page model', () => {
  it('a section shows its first matches and links the list filtered by the same words', () => {
    const s = section('controls', 'Controls', controls(12, 30), HITS.control, { path: '/controls' }, 'ACC & co');
    expect(s.hits).toHaveLength(SEARCH_SECTION_SIZE);
    expect(s.hits[0]).toEqual({ href: '/controls/ACC-01', label: 'ACC-01 Access', detail: 'security' });
    expect(s.total).toBe(30);
    expect(s.more).toBe('/controls?q=ACC+%26+co');
    const incidents = section(
      'incidents',
      'Incidents',
      { items: [], total: 2 },
      HITS.incident,
      { path: '/incidents', params: { show: 'all' } },
      'db',
    );
    expect(incidents.more).toBe('/incidents?show=all&q=db');
    expect(section('controls', 'Controls', controls(0), HITS.control, { path: '/controls' }, 'x').more).toBeNull();
  });

  it('lists only the sections with matches, totals them, and says when there are none', () => {
    const found = section('controls', 'Controls', controls(2), HITS.control, null, 'ACC');
    const empty = section('risks', 'Risks', { items: [], total: 0 }, HITS.risk, null, 'ACC');
    const page = searchPage('ACC', [found, empty]);
    expect(page).toMatchObject({ total: 2, searched: true, nothing: false, searchedIn: 'controls, risks' });
    expect(page.sections.map((s) => s.key)).toEqual(['controls']);
    expect(searchPage('zz', [empty])).toMatchObject({ total: 0, nothing: true, sections: [] });
    expect(searchPage('', [])).toMatchObject({ searched: false, nothing: false, pageTitle: 'Search' });
    expect(searchPage('x'.repeat(101), [], 'Search for at most 100 characters.')).toMatchObject({
      searched: false,
      nothing: false,
      problem: 'Search for at most 100 characters.',
    });
  });

  it('requirements link to their row on the framework page; evidence to its control', () => {
    expect(HITS.requirement({ f: { key: 'pdpa' }, r: { ref: 's. 30', title: 'Access', controls: [] } })).toEqual({
      href: '/catalog/pdpa#req-s.%2030',
      label: 'pdpa s. 30 Access',
      detail: null,
    });
    expect(
      HITS.evidence({
        id: 'e1',
        title: 'Review',
        controls: ['ENG-05', 'ENG-06'],
        evidenceDate: '2026-11-21T00:00:00Z',
      }),
    ).toEqual({
      href: '/controls/ENG-05',
      label: 'Review',
      detail: 'ENG-05, ENG-06 · 2026-11-21',
    });
  });
});
