/**
 * The header's page links (issue 19): the everyday ones in a row, the rest under "More" (a <details>
 * dropdown: no JavaScript, opened with the keyboard), so the row fits one line at 1280 px for every role. On a
 * phone both sit in one list behind "Menu" (templates/web/layout.hbs, attest.css).
 */

/** Which pages a person may open (the ViewUser flags the menu reads). */
export interface MenuAccess {
  canManageUsers: boolean;
  canReadTrail: boolean;
  canSweep: boolean;
  canSeePosture: boolean;
  canReadRisks: boolean;
  /** The DSR queue (privacy officer, compliance manager, admin). */
  canReadDsr: boolean;
  /** Manual DSR tasks only (control owners): a menu entry of their own. */
  canDoDsrTasks: boolean;
  /** The auditor portal (auditors: their engagements). */
  canAudit: boolean;
  /** Opening and revoking engagements, answering requests (compliance managers, admins). */
  canManageEngagements: boolean;
  /** Controlled documents (everyone; auditors within an engagement). */
  canReadDocuments: boolean;
  canReadReleases: boolean;
  canReadFindings: boolean;
  canReadKeys: boolean;
  /** "My acknowledgements": the documents one is asked to read (everyone but auditors). */
  canAcknowledge: boolean;
}

export interface MenuLink {
  href: string;
  label: string;
  id?: string;
  /** Search: its keyboard shortcut, named to the eye (title) and to assistive technology. */
  shortcut?: { accesskey: string; title: string; keys: string };
  /** aria-current: "page" on the link to this very page, "true" on its section's link (a release under Releases). */
  current?: 'page' | 'true';
}

export interface SiteMenu {
  /** The row. */
  main: MenuLink[];
  /** Under "More": registers most people open less often, the trail, user admin and the API docs. */
  more: MenuLink[];
  /** The brand link goes home: marked current there. */
  home: boolean;
  /** The header's link to one's notifications, marked current on that page. */
  notifications: boolean;
}

type Entry = Omit<MenuLink, 'current'> & { show: (a: MenuAccess) => boolean; more?: true };

const always = () => true;

/** In the order shown. */
const ENTRIES: Entry[] = [
  { href: '/sweep', label: 'My sweep', show: (a) => a.canSweep },
  { href: '/sweeps', label: 'Posture', show: (a) => a.canSeePosture },
  { href: '/catalog', label: 'Catalog', show: always },
  { href: '/controls', label: 'Controls', show: always },
  {
    href: '/search',
    label: 'Search',
    id: 'search-link',
    shortcut: { accesskey: 'k', title: 'Search (press /)', keys: '/' },
    show: always,
  },
  { href: '/documents', label: 'Documents', show: (a) => a.canReadDocuments },
  {
    href: '/me/acknowledgements',
    label: 'To acknowledge',
    id: 'my-acknowledgements-link',
    show: (a) => a.canAcknowledge,
  },
  { href: '/incidents', label: 'Incidents', show: always },
  { href: '/risks', label: 'Risks', show: (a) => a.canReadRisks },
  { href: '/dsr', label: 'DSR', show: (a) => a.canReadDsr },
  { href: '/dsr/tasks', label: 'DSR tasks', show: (a) => a.canDoDsrTasks },
  { href: '/audit', label: 'Audit', show: (a) => a.canAudit },
  { href: '/audit/engagements', label: 'Engagements', show: (a) => a.canManageEngagements },
  { href: '/releases', label: 'Releases', show: (a) => a.canReadReleases, more: true },
  { href: '/findings', label: 'Findings', show: (a) => a.canReadFindings, more: true },
  { href: '/keys', label: 'Keys', show: (a) => a.canReadKeys, more: true },
  { href: '/audit-trail', label: 'Audit trail', show: (a) => a.canReadTrail, more: true },
  { href: '/admin/users', label: 'Users', show: (a) => a.canManageUsers, more: true },
  { href: '/api/docs', label: 'API', show: always, more: true },
];

/** The link the path belongs to: the same href, else the longest href it lies under ("/dsr/tasks/…"). */
function currentHref(hrefs: string[], path: string): string | null {
  if (hrefs.includes(path)) return path;
  const under = hrefs.filter((href) => path.startsWith(`${href}/`)).sort((a, b) => b.length - a.length);
  return under[0] ?? null;
}

/** The menu for a person with `access` on the page at `url` (its query ignored). */
export function siteMenu(access: MenuAccess, url: string): SiteMenu {
  const path = url.split(/[?#]/)[0].replace(/(.)\/+$/, '$1');
  const shown = ENTRIES.filter((e) => e.show(access));
  const current = currentHref(
    shown.map((e) => e.href),
    path,
  );
  const link = ({ show: _show, more: _more, ...rest }: Entry): MenuLink =>
    rest.href === current ? { ...rest, current: rest.href === path ? 'page' : 'true' } : rest;
  const main = shown.filter((e) => !e.more).map(link);
  const more = shown.filter((e) => e.more).map(link);
  // One link alone (a viewer's "API") needs no box to open: it ends the row.
  return {
    main: more.length === 1 ? [...main, ...more] : main,
    more: more.length === 1 ? [] : more,
    home: path === '/',
    notifications: path === '/notifications',
  };
}
