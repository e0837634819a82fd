// CSV downloads of the list pages over HTTP (issue 19): each holds exactly the rows the API lists for the same
// person and filters, every page of them; the page links to it with its filters; a DSR queue's CSV never holds
// who a request is about; a cell a spreadsheet would run as a formula is defused; whom a page refuses, its
// CSV refuses too.
import { parse } from 'csv-parse/sync';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

type Who = 'compliance' | 'privacy' | 'owner' | 'viewer' | 'auditor';

let t: TestApp;
const as = {} as Record<Who, ReturnType<typeof client>>;
const cookies = {} as Record<Who, string>;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  for (const who of ['compliance', 'privacy', 'owner', 'viewer', 'auditor'] as const) {
    cookies[who] = await login(t.baseUrl, DEMO[who]);
    as[who] = client(t.baseUrl, cookies[who]);
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
});

/** Downloads a CSV: its rows (header first, byte-order mark checked and dropped) and its headers. */
async function csv(who: Who, path: string) {
  const res = await fetch(t.baseUrl + path, { headers: { cookie: cookies[who] } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toMatch(
    /^attachment; filename="attest-[a-z-]+-\d{4}-\d{2}-\d{2}\.csv"$/,
  );
  const bytes = Buffer.from(await res.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte-order mark: Excel reads Thai right
  const rows: string[][] = parse(bytes.subarray(3).toString('utf8'));
  return { header: rows[0], rows: rows.slice(1) };
}

/** The page's "Download CSV" link, as the browser reads it (the template escapes = and &). */
async function csvLink(who: Who, page: string): Promise<string> {
  const html = (await as[who]('GET', page)).text;
  const href = /<a href="([^"]*)" id="csv-link"/.exec(html)?.[1];
  return (href ?? '').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}

/** Every item the API lists at `path` (paged by 200). */
async function apiAll(who: Who, path: string): Promise<any[]> {
  const items: any[] = [];
  for (let offset = 0; ; offset += 200) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await as[who]('GET', `${path}${sep}limit=200&offset=${offset}`);
    expect(page.status).toBe(200);
    items.push(...page.json.items);
    if (items.length >= page.json.total || page.json.items.length === 0) return items;
  }
}

describe('CSV downloads of the list pages', () => {
  it('controls: the filtered list, every row the API lists, linked from the page with its filter', async () => {
    const { header, rows } = await csv('owner', '/controls/export.csv?department=engineering');
    expect(header).toEqual([
      'Key',
      'Control',
      'Department',
      'Owner',
      'Cadence',
      'Max interval (days)',
      'Satisfies',
      'Collector',
      'Version',
    ]);
    const api = await apiAll('owner', '/api/controls?department=engineering');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r[0])).toEqual(api.map((c) => c.key));
    expect(rows.every((r) => r[2] === 'engineering')).toBe(true);
    const all = await csv('owner', '/controls/export.csv');
    expect(all.rows.length).toBe((await as.owner('GET', '/api/controls?limit=1')).json.total);
    expect(all.rows.length).toBeGreaterThan(rows.length);
    expect(await csvLink('owner', '/controls?department=engineering')).toBe(
      '/controls/export.csv?department=engineering',
    );
  });

  it('DSR queue: the register without identity, for those who read it; refused to the others', async () => {
    const subject = { name: 'Csvtest Wanida', email: 'wanida.csvtest@example.com' };
    const created = await as.privacy('POST', '/api/dsr/requests', { right: 'access', channel: 'email', subject });
    expect(created.status).toBe(201);
    const { header, rows } = await csv('privacy', '/dsr/export.csv');
    expect(header.slice(0, 5)).toEqual(['Reference', 'Right', 'PDPA section', 'Ground', 'Status']);
    expect(header).toContain('Statutory due (ICT)');
    const api = await apiAll('privacy', '/api/dsr/requests');
    expect(rows.map((r) => r[0]).sort()).toEqual(api.map((r) => r.reference).sort());
    const mine = rows.find((r) => r[0] === created.json.reference)!;
    expect(mine[1]).toBe('access and copy');
    const text = (await as.privacy('GET', '/dsr/export.csv')).text;
    expect(text).not.toContain(subject.name);
    expect(text).not.toContain(subject.email);
    expect((await csv('compliance', '/dsr/export.csv')).rows).toHaveLength(rows.length);
    for (const who of ['owner', 'viewer'] as const) expect((await as[who]('GET', '/dsr/export.csv')).status).toBe(403);
    // An auditor reads the register within their engagement's period only (the demo has one): as the API says.
    const auditor = await csv('auditor', '/dsr/export.csv');
    expect(auditor.rows).toHaveLength((await as.auditor('GET', '/api/dsr/requests?limit=1')).json.total);
  });

  it('incidents: every row, open or all as on the page; a title that looks like a formula is defused', async () => {
    const title = '=HYPERLINK("http://attacker.example","click")';
    const reported = await as.compliance('POST', '/api/incidents', {
      title,
      description: 'Reported to check the CSV export.',
      severity: 'SEV3',
      categories: ['other'],
    });
    expect(reported.status).toBe(201);
    const all = await csv('compliance', '/incidents/export.csv?show=all');
    expect(all.rows.map((r) => r[0]).sort()).toEqual(
      (await apiAll('compliance', '/api/incidents')).map((i) => i.ref).sort(),
    );
    const row = all.rows.find((r) => r[0] === reported.json.ref)!;
    expect(row[1]).toBe(`'${title}`);
    const open = await csv('compliance', '/incidents/export.csv');
    expect(open.rows.length).toBe((await as.compliance('GET', '/api/incidents?open=true&limit=1')).json.total);
    expect(await csvLink('compliance', '/incidents?show=all&q=HYPERLINK')).toBe(
      '/incidents/export.csv?show=all&q=HYPERLINK',
    );
  });

  it('documents and releases: the rows each person may read', async () => {
    for (const who of ['compliance', 'owner'] as const) {
      const docs = await csv(who, '/documents/export.csv');
      expect(docs.rows.map((r) => r[0]).sort()).toEqual((await apiAll(who, '/api/documents')).map((d) => d.key).sort());
      const releases = await csv(who, '/releases/export.csv');
      expect(releases.header).toEqual(['Product', 'Version', 'Commit', 'Built (ICT)', 'Approved', 'Missing']);
      expect(releases.rows.map((r) => `${r[0]} ${r[1]}`).sort()).toEqual(
        (await apiAll(who, '/api/releases')).map((r) => `${r.product} ${r.version}`).sort(),
      );
    }
    expect((await as.viewer('GET', '/releases/export.csv')).status).toBe(403);
  });

  it('findings and keys: the security registers as each person reads them, with their filters', async () => {
    for (const who of ['compliance', 'owner'] as const) {
      const findings = await csv(who, '/findings/export.csv');
      expect(findings.header.slice(0, 7)).toEqual([
        'Severity',
        'Finding',
        'Source',
        'Product',
        'Department',
        'Status',
        'SLA',
      ]);
      expect(findings.header).toContain('Due (ICT)');
      const api = await apiAll(who, '/api/findings');
      expect(findings.rows.map((r) => r[1])).toEqual(api.map((f) => f.title));
      const keys = await csv(who, '/keys/export.csv');
      expect(keys.header).toEqual([
        'Key',
        'System',
        'Kind',
        'Interval (days)',
        'Owner',
        'Department',
        'Last rotation (ICT)',
        'Due (ICT)',
        'State',
      ]);
      expect(keys.rows.map((r) => r[0])).toEqual((await apiAll(who, '/api/keys')).map((k) => k.name));
    }
    const all = await csv('compliance', '/findings/export.csv');
    expect(all.rows.length).toBeGreaterThan(0);
    const severity = all.rows[0][0];
    const some = await csv('compliance', `/findings/export.csv?severity=${severity}`);
    expect(some.rows.length).toBe((await apiAll('compliance', `/api/findings?severity=${severity}`)).length);
    expect(some.rows.every((r) => r[0] === severity)).toBe(true);
    expect(await csvLink('compliance', `/findings?severity=${severity}`)).toBe(
      `/findings/export.csv?severity=${severity}`,
    );
    expect(await csvLink('compliance', '/keys?state=overdue')).toBe('/keys/export.csv?state=overdue');
    expect((await as.viewer('GET', '/findings/export.csv')).status).toBe(403);
  });

  it('audit packs, engagements and auditor requests: every row, names instead of ids', async () => {
    const requested = await as.compliance('POST', '/api/packs', {
      framework: 'pdpa',
      from: '2026-01-01',
      to: '2026-01-31',
    });
    expect([201, 202]).toContain(requested.status);
    const packs = await csv('compliance', '/audit/packs/export.csv');
    expect(packs.header.slice(0, 6)).toEqual(['Framework', 'From', 'To', 'Engagement', 'Status', 'Requested by']);
    const api = await apiAll('compliance', '/api/packs');
    expect(packs.rows).toHaveLength(api.length);
    const me = (await as.compliance('GET', '/api/me')).json;
    expect(packs.rows.find((r) => r[0] === 'pdpa' && r[1] === '2026-01-01' && r[2] === '2026-01-31')?.[5]).toBe(
      me.name,
    );
    expect(await csvLink('compliance', '/audit/packs')).toBe('/audit/packs/export.csv');
    // An auditor's packs are those inside their engagements: none of the compliance manager's unscoped one.
    expect((await csv('auditor', '/audit/packs/export.csv')).rows).toHaveLength(
      (await apiAll('auditor', '/api/packs')).length,
    );

    const engagements = await csv('compliance', '/audit/engagements/export.csv');
    const apiEngagements = await apiAll('compliance', '/api/engagements');
    expect(engagements.rows.length).toBeGreaterThan(0);
    expect(engagements.rows.map((r) => `${r[0]} ${r[2]} ${r[3]}`).sort()).toEqual(
      apiEngagements.map((e) => `${e.auditorName} ${e.from} ${e.to}`).sort(),
    );
    const framework = apiEngagements[0].frameworks[0];
    const requirementRef = (await apiAll('auditor', `/api/frameworks/${framework}/requirements`))[0].ref;
    const asked = await as.auditor('POST', `/api/engagements/${apiEngagements[0].id}/requests`, {
      framework,
      requirementRef,
      body: 'Please show the CSV request history.',
    });
    expect(asked.status).toBe(201);
    const requests = await csv('compliance', '/audit/engagements/requests.csv');
    expect(requests.rows).toHaveLength((await apiAll('compliance', '/api/engagement-requests')).length);
    const row = requests.rows.find((r) => r[2] === 'Please show the CSV request history.')!;
    expect(row[1]).toBe(requirementRef);
    expect(row[5]).toBe('open');
    for (const who of ['auditor', 'owner'] as const)
      expect((await as[who]('GET', '/audit/engagements/export.csv')).status).toBe(403);
  });

  it('DSR drills and manual tasks, users and notifications: as their pages and the API list them', async () => {
    const drills = await csv('privacy', '/dsr/drills/export.csv');
    expect(drills.header.slice(0, 4)).toEqual(['Started (ICT)', 'Reference', 'Trigger', 'Result']);
    const apiDrills = await apiAll('privacy', '/api/dsr/drills');
    expect(drills.rows).toHaveLength(apiDrills.length);
    expect(drills.rows.map((r) => r[3])).toEqual(
      apiDrills.map((d) => (d.passed === null ? 'running' : d.passed ? 'passed' : 'failed')),
    );
    expect(await csvLink('privacy', '/dsr/drills')).toBe('/dsr/drills/export.csv');
    const tasks = await csv('privacy', '/dsr/tasks/export.csv?open=false');
    expect(tasks.header.slice(0, 4)).toEqual(['Request', 'System', 'Task', 'Status']);
    expect(tasks.rows).toHaveLength((await apiAll('privacy', '/api/dsr/tasks?open=false')).length);
    expect(await csvLink('privacy', '/dsr/tasks?open=false')).toBe('/dsr/tasks/export.csv?open=false');
    expect((await as.owner('GET', '/dsr/drills/export.csv')).status).toBe(403);

    const adminCookie = await login(t.baseUrl, DEMO.admin);
    const admin = client(t.baseUrl, adminCookie);
    const res = await fetch(`${t.baseUrl}/admin/users/export.csv?role=control_owner`, {
      headers: { cookie: adminCookie },
    });
    expect(res.status).toBe(200);
    const users: string[][] = parse((await res.text()).replace(/^\uFEFF/, ''));
    expect(users[0]).toEqual(['Name', 'E-mail', 'Role', 'Department', 'Active', 'Created (ICT)', 'Last sign-in (ICT)']);
    const apiUsers = (await admin('GET', '/api/users?role=control_owner&limit=200')).json.items;
    expect(
      users
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual(apiUsers.map((u: any) => u.email).sort());
    expect(users.slice(1).every((r) => r[2] === 'control_owner')).toBe(true);
    expect((await as.compliance('GET', '/admin/users/export.csv')).status).toBe(403);

    const notes = await csv('owner', '/notifications/export.csv');
    expect(notes.header[0]).toBe('Sent (ICT)');
    expect(notes.rows.map((r) => r[2])).toEqual((await apiAll('owner', '/api/notifications')).map((n) => n.subject));
  });

  it('audit trail: the entries of one person, whole, named; only for those who read the trail', async () => {
    const me = (await as.privacy('GET', '/api/me')).json;
    const api = await apiAll('compliance', `/api/audit-trail?actor=user:${me.id}`);
    const { header, rows } = await csv(
      'compliance',
      `/audit-trail/export.csv?person=${encodeURIComponent(DEMO.privacy)}`,
    );
    expect(header).toEqual(['Seq', 'At', 'Person', 'Actor reference', 'Action', 'Subject', 'Data', 'Hash']);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => Number(r[0]))).toEqual(api.map((e) => e.seq));
    expect(rows.map((r) => r[7])).toEqual(api.map((e) => e.hash));
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set([me.name]));
    expect(rows[0][1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} ICT$/);
    expect((await as.owner('GET', '/audit-trail/export.csv')).status).toBe(403);
  });

  it('a bad filter is refused naming it, as on the page', async () => {
    const res = await as.compliance('GET', '/controls/export.csv?cadence=sometimes');
    expect(res.status).toBe(400);
    expect(res.text).toContain('cadence');
  });
});
