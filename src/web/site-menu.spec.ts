import { siteMenu, type MenuAccess } from './site-menu';

const NONE: MenuAccess = {
  canManageUsers: false,
  canReadTrail: false,
  canSweep: false,
  canSeePosture: false,
  canReadRisks: false,
  canReadDsr: false,
  canDoDsrTasks: false,
  canAudit: false,
  canManageEngagements: false,
  canReadDocuments: false,
  canReadReleases: false,
  canReadFindings: false,
  canReadKeys: false,
  canAcknowledge: false,
};
const ALL: MenuAccess = Object.fromEntries(Object.keys(NONE).map((k) => [k, true])) as unknown as MenuAccess;
const labels = (links: { label: string }[]) => links.map((l) => l.label);
const currents = (url: string, access = ALL) => {
  const menu = siteMenu(access, url);
  return [...menu.main, ...menu.more].filter((l) => l.current).map((l) => [l.href, l.current]);
};

describe('siteMenu', () => {
  it('keeps the everyday pages in the row and the rest, in their order, under More', () => {
    const menu = siteMenu(ALL, '/');
    expect(labels(menu.main)).toEqual([
      'My sweep',
      'Posture',
      'Catalog',
      'Controls',
      'Search',
      'Documents',
      'To acknowledge',
      'Incidents',
      'Risks',
      'DSR',
      'DSR tasks',
      'Audit',
      'Engagements',
    ]);
    expect(labels(menu.more)).toEqual(['Releases', 'Findings', 'Keys', 'Audit trail', 'Users', 'API']);
  });

  it('lists only what the person may open; everyone has the catalog, controls, search, incidents and the API', () => {
    const menu = siteMenu({ ...NONE, canReadFindings: true }, '/');
    expect(labels(menu.main)).toEqual(['Catalog', 'Controls', 'Search', 'Incidents']);
    expect(labels(menu.more)).toEqual(['Findings', 'API']);
  });

  it('puts a lone "More" link at the end of the row instead of a box holding one link', () => {
    const menu = siteMenu(NONE, '/api/docs');
    expect(labels(menu.main)).toEqual(['Catalog', 'Controls', 'Search', 'Incidents', 'API']);
    expect(menu.more).toEqual([]);
    expect(menu.main.at(-1)?.current).toBe('page');
  });

  it('names the search shortcut and the ids pages and tests rely on', () => {
    const { main } = siteMenu(ALL, '/');
    expect(main.find((l) => l.href === '/search')).toEqual({
      href: '/search',
      label: 'Search',
      id: 'search-link',
      shortcut: { accesskey: 'k', title: 'Search (press /)', keys: '/' },
    });
    expect(main.find((l) => l.href === '/me/acknowledgements')?.id).toBe('my-acknowledgements-link');
  });

  it.each([
    ['/', []],
    ['/findings', [['/findings', 'page']]],
    ['/findings/', [['/findings', 'page']]],
    ['/findings?status=open&severity=high', [['/findings', 'page']]],
    ['/releases/0b6e9a0c-0000-4000-8000-000000000001', [['/releases', 'true']]],
    ['/dsr/tasks', [['/dsr/tasks', 'page']]],
    ['/dsr/requests/abc', [['/dsr', 'true']]],
    ['/audit/engagements/abc/revoke', [['/audit/engagements', 'true']]],
    ['/audit-trail', [['/audit-trail', 'page']]],
    ['/audit/packs', [['/audit', 'true']]],
    ['/sweeps/tasks?owner=x', [['/sweeps', 'true']]],
    ['/sweepstakes', []],
    ['/notifications', []],
  ])('on %s marks %j current (one link at most, the closest section)', (url, expected) => {
    expect(currents(url)).toEqual(expected);
  });

  it('marks no hidden link: a manager on /audit/packs has no "Audit" entry, so nothing is current', () => {
    expect(currents('/audit/packs', { ...ALL, canAudit: false })).toEqual([]);
  });

  it('marks the brand current on the home page only', () => {
    expect(siteMenu(ALL, '/').home).toBe(true);
    expect(siteMenu(ALL, '/?done=saved').home).toBe(true);
    expect(siteMenu(ALL, '/controls').home).toBe(false);
  });

  it('marks the notifications link (beside the name) current on the notifications page', () => {
    expect(siteMenu(ALL, '/notifications?unread=1').notifications).toBe(true);
    expect(siteMenu(ALL, '/').notifications).toBe(false);
  });
});
