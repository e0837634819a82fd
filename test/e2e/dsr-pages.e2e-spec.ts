// The DSR pages over HTTP, against the real demo patient platform: the privacy officer's queue with both
// clocks and filters, logging a request through the form, a request's page (verify, export and download
// link, erasure with grace period, cancel, legal holds, receipt), refusals and execution; the data map
// with YAML import; drills; manual tasks for control owners. Who sees what: compliance managers read the
// queue and a request without the subject's identity; control owners and viewers are refused.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { csrfToken } from '../support/forms';
import { openDemoPlatform, type DemoPatient, type DemoPlatform } from '../support/demo-platform';

type Who = 'privacy' | 'compliance' | 'owner' | 'viewer' | 'admin';

let t: TestApp;
let demo: DemoPlatform;
let platform: DemoPlatform['client'];
const cookies = {} as Record<Who, string>;
const as = {} as Record<Who, ReturnType<typeof client>>;

const patient = (offset: number) => demo.patient(offset);

/** Posts a form as the browser does (urlencoded, repeated keys for lists), without following the redirect. */
async function postForm(
  who: Who,
  path: string,
  fields: Record<string, string | string[]> = {},
  headers: Record<string, string> = {},
) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  body.append('_csrf', await csrfToken(t.baseUrl, cookies[who]));
  const res = await fetch(t.baseUrl + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookies[who], 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: body.toString(),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, location: res.headers.get('location'), text, json };
}

const newRequest = (p: DemoPatient, right: string, extra: Record<string, string> = {}) => ({
  right,
  channel: 'email',
  receivedAt: '',
  subjectName: `${p.first_name} ${p.last_name}`,
  subjectEmail: p.email,
  subjectPhone: p.phone,
  subjectNationalId: p.national_id,
  requesterName: '',
  requesterContact: '',
  requesterRelationship: '',
  changes: '',
  // The form's two ground selects: only the right's own counts (PDPA s. 32 para 1, s. 33 para 1).
  objectionGround: right === 'objection' ? 'public_task_or_legitimate_interest' : '',
  erasureGround: right === 'erasure' ? 'no_longer_necessary' : '',
  ...extra,
});

/** The fields a problem document names, each once. */
const fields = (res: { json?: { errors?: { field: string }[] } }) => [
  ...new Set((res.json?.errors ?? []).map((e) => e.field)),
];

/** Logs a request through the form and returns its id. */
async function logged(p: DemoPatient, right: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await postForm('privacy', '/dsr', newRequest(p, right, extra));
  expect(res.status).toBe(303);
  expect(res.location).toMatch(/^\/dsr\/[0-9a-f-]{36}$/);
  return res.location!.split('/')[2];
}

async function verifiedRequest(p: DemoPatient, right: string): Promise<string> {
  const id = await logged(p, right);
  expect(
    (
      await postForm('privacy', `/dsr/${id}/verify`, {
        method: 'id_document',
        reference: 'ID card seen at the counter',
      })
    ).status,
  ).toBe(303);
  return id;
}

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', DSR_DEMO_PLATFORM: '1' } });
  for (const who of ['privacy', 'compliance', 'owner', 'viewer', 'admin'] as const) {
    cookies[who] = await login(t.baseUrl, DEMO[who]);
    as[who] = client(t.baseUrl, cookies[who]);
  }
  demo = await openDemoPlatform(t);
  platform = demo.client;
}, 120_000);
afterAll(async () => {
  await demo?.close();
  await t?.close();
});

describe('the queue', () => {
  let id: string;
  let p: DemoPatient;

  it('is in the privacy officer’s menu, with filters and the new-request form', async () => {
    const page = await as.privacy('GET', '/dsr');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/dsr" aria-current="page">DSR</a>');
    expect(page.text).toContain('id="dsr-filters"');
    expect(page.text).toContain('id="new-request"');
    expect(page.text).toContain('<th>Subject</th>');
  });

  it('logs a request through the form (received time in ICT) and lands on its page with identity and clocks', async () => {
    p = await patient(0);
    // Received 40 days ago, typed as Bangkok wall-clock time the way a datetime-local field sends it.
    const received = new Date(Math.floor((Date.now() - 40 * 86_400_000) / 60_000) * 60_000);
    const typed = new Date(received.getTime() + 7 * 3_600_000).toISOString().slice(0, 16);
    id = await logged(p, 'access', {
      receivedAt: typed,
      channel: 'letter',
      requesterName: 'Malee <Parent>',
      requesterContact: '081 000 0000',
      requesterRelationship: 'parent',
    });
    const api = await as.privacy('GET', `/api/dsr/requests/${id}`);
    expect(api.json).toMatchObject({
      right: 'access',
      channel: 'letter',
      receivedAt: received.toISOString(),
      isRepresentative: true,
      subject: { email: p.email },
    });
    const page = await as.privacy('GET', `/dsr/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<code>${api.json.reference}</code> access and copy`);
    expect(page.text).toContain(`<dd id="subject-email">${p.email}</dd>`);
    expect(page.text).toContain('Malee &lt;Parent&gt; (parent)');
    // Received 40 days ago: the 7-day SLA is late, the 30-day statutory clock too.
    expect(page.text).toMatch(
      /<td id="clock-internal" class="clock clock-overdue" data-state="overdue">\d+d \d+h late/,
    );
    expect(page.text).toMatch(
      /<td id="clock-statutory" class="clock clock-overdue" data-state="overdue">\d+d \d+h late/,
    );
    expect(page.text).toContain('id="verify-form"');
    expect(page.text).not.toContain('id="export-submit"'); // nothing executes before identity is verified
  });

  it('lists it with both clocks and the identity wait, and filters', async () => {
    const reference = (await as.privacy('GET', `/api/dsr/requests/${id}`)).json.reference;
    const page = await as.privacy('GET', '/dsr');
    const row = page.text.slice(page.text.indexOf(`<tr data-reference="${reference}"`)).split('</tr>')[0];
    expect(row).toContain('data-status="received"');
    expect(row).toContain(p.email);
    expect(row).toContain('PDPA s. 30');
    expect(row).toMatch(/data-clock="internal" data-state="overdue"[^>]*>\d+d \d+h late/);
    expect(row).toMatch(/data-clock="statutory" data-state="overdue"[^>]*>\d+d \d+h late/);
    expect(row).toMatch(/<td class="identity-wait"><mark>\d+d \d+h<\/mark>/);
    expect((await as.privacy('GET', '/dsr?status=received&right=access&open=1&overdue=1&q=DSR')).text).toContain(
      `data-reference="${reference}"`,
    );
    expect((await as.privacy('GET', '/dsr?status=&right=&q=')).text).toContain(`data-reference="${reference}"`);
    expect((await as.privacy('GET', '/dsr?right=erasure')).text).not.toContain(`data-reference="${reference}"`);
    expect((await as.privacy('GET', '/dsr?status=completed')).text).not.toContain(`data-reference="${reference}"`);
    expect((await as.privacy('GET', '/dsr?status=bogus')).status).toBe(400);
  });

  it('shows compliance managers the same queue and page without any identity, and no forms', async () => {
    const reference = (await as.privacy('GET', `/api/dsr/requests/${id}`)).json.reference;
    const queue = await as.compliance('GET', '/dsr');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain('<a href="/dsr" aria-current="page">DSR</a>');
    expect(queue.text).toContain(`data-reference="${reference}"`);
    expect(queue.text).not.toContain(p.email);
    expect(queue.text).not.toContain(p.first_name);
    expect(queue.text).not.toContain('<th>Subject</th>');
    expect(queue.text).not.toContain('class="identity"');
    expect(queue.text).not.toContain('id="new-request"');
    const page = await as.compliance('GET', `/dsr/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(reference);
    expect(page.text).not.toContain(p.email);
    expect(page.text).not.toContain(p.national_id);
    expect(page.text).not.toContain('Malee');
    expect(page.text).not.toContain('id="identity"');
    expect(page.text).not.toContain('id="verify-form"');
    expect(page.text).not.toContain('id="hold-form"');
    expect((await postForm('compliance', '/dsr', newRequest(p, 'access'))).status).toBe(403);
    expect((await postForm('compliance', `/dsr/${id}/verify`, { method: 'id_document', reference: 'x' })).status).toBe(
      403,
    );
  });

  it('is refused to control owners and viewers, and not in their menu', async () => {
    for (const who of ['owner', 'viewer'] as const) {
      const home = await as[who]('GET', '/controls');
      expect(home.text).not.toContain('<a href="/dsr">DSR</a>');
      expect((await as[who]('GET', '/dsr')).status).toBe(403);
      expect((await as[who]('GET', `/dsr/${id}`)).status).toBe(403);
      expect((await as[who]('GET', '/dsr/systems')).status).toBe(403);
      expect((await as[who]('GET', '/dsr/drills')).status).toBe(403);
      expect((await postForm(who, `/dsr/${id}/verify`, { method: 'id_document', reference: 'x' })).status).toBe(403);
    }
    expect((await as.owner('GET', '/controls')).text).toContain('<a href="/dsr/tasks">DSR tasks</a>');
    expect((await as.viewer('GET', '/dsr/tasks')).status).toBe(403);
    expect((await as.privacy('GET', '/dsr/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('tells a person in plain words that the page is not for them; the API keeps its precise problem', async () => {
    const page = await as.viewer('GET', '/dsr', undefined, { accept: 'text/html' });
    expect(page.status).toBe(403);
    expect(page.text).toContain('<strong>403 · No access</strong>');
    expect(page.text).toContain('<p>You do not have access to this page.</p>');
    expect(page.text).not.toContain('Your role');
    const api = await as.viewer('GET', '/api/dsr/requests');
    expect(api.status).toBe(403);
    expect(api.json.detail).toBe('Your role (viewer) may not read DsrRequest.');
  });
});

describe('forms validate and show what is wrong', () => {
  it('refuses a request without any key to find the subject, naming the field, and logs nothing', async () => {
    const before = (await as.privacy('GET', '/api/dsr/requests')).json.total;
    const res = await postForm('privacy', '/dsr', {
      ...newRequest(await patient(1), 'access'),
      subjectEmail: '',
      subjectPhone: '',
      subjectNationalId: '',
    });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      { field: 'subject', message: expect.stringContaining('at least one of email, phone or nationalId') },
    ]);
    expect(fields(await postForm('privacy', '/dsr', { ...newRequest(await patient(1), 'forget-me') }))).toEqual([
      'right',
    ]);
    expect(
      fields(
        await postForm('privacy', '/dsr', { ...newRequest(await patient(1), 'access'), requesterName: 'Someone' }),
      ),
    ).toEqual(['requesterContact', 'requesterRelationship']);
    expect(
      fields(await postForm('privacy', '/dsr', { ...newRequest(await patient(1), 'access'), receivedAt: 'yesterday' })),
    ).toEqual(['receivedAt']);
    expect(
      fields(
        await postForm('privacy', '/dsr', {
          ...newRequest(await patient(1), 'rectification'),
          changes: 'phone 0812345678',
        }),
      ),
    ).toEqual(['changes']);
    expect((await as.privacy('GET', '/api/dsr/requests')).json.total).toBe(before);
  });

  it('shows a browser the reasons on a page, with a way back to the form', async () => {
    const res = await postForm(
      'privacy',
      '/dsr',
      { ...newRequest(await patient(1), 'access'), subjectEmail: 'not-an-address' },
      { accept: 'text/html,application/xhtml+xml', referer: `${t.baseUrl}/dsr?open=1` },
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('<article id="error" data-status="400">');
    expect(res.text).toContain('<strong>400 · Please check what you entered</strong>');
    expect(res.text).toContain('<li data-field="subject.email">Subject email must be an e-mail address.</li>');
    expect(res.text).toContain('<a href="/dsr?open&#x3D;1" id="error-back">Back to the form</a>');
    // The page keeps the signed-in menu (the form's page marked current).
    expect(res.text).toContain('<a href="/dsr" aria-current="page">DSR</a>');
  });

  it('refuses to execute before identity is verified (422 on a page), and an erase form without grace days', async () => {
    const id = await logged(await patient(1), 'erasure');
    const res = await postForm('privacy', `/dsr/${id}/export`, {}, { accept: 'text/html' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Verify the identity of');
    expect(fields(await postForm('privacy', `/dsr/${id}/verify`, { method: 'synthetic', reference: 'x' }))).toEqual([
      'method',
    ]);
    expect(fields(await postForm('privacy', `/dsr/${id}/verify`, { method: 'id_document', reference: '' }))).toEqual([
      'reference',
    ]);
    expect(
      (await postForm('privacy', `/dsr/${id}/verify`, { method: 'id_document', reference: 'passport seen' })).status,
    ).toBe(303);
    const empty = await postForm('privacy', `/dsr/${id}/erase`, { graceDays: '' });
    expect(empty.status).toBe(400);
    expect(fields(empty)).toEqual(['graceDays']);
    expect((await postForm('privacy', `/dsr/${id}/erase`, { graceDays: '31' })).status).toBe(400);
    expect((await as.privacy('GET', `/api/dsr/requests/${id}`)).json.erasureScheduledFor).toBeNull();
  });
});

describe('a request’s page', () => {
  it('verifies, exports, shows a download link that downloads the ZIP, and makes a new link', async () => {
    const p = await patient(2);
    const id = await verifiedRequest(p, 'access');
    let page = await as.privacy('GET', `/dsr/${id}`);
    expect(page.text).toContain('<dd id="verification">identity document: ID card seen at the counter</dd>');
    expect(page.text).toMatch(/<li data-step="verified" class="done"><strong>Identity verified<\/strong>/);
    expect(page.text).toContain('id="export-submit"');

    // Post/redirect/get: the export answers 303 to the request's page, which shows the link.
    const exportedPost = await postForm('privacy', `/dsr/${id}/export`);
    expect(exportedPost.status).toBe(303);
    expect(exportedPost.location).toMatch(new RegExp(`^/dsr/${id}\\?result=[A-Za-z0-9_-]+$`));
    const exported = await as.privacy('GET', exportedPost.location!);
    const url = /<a href="(\/api\/dsr\/exports\/[A-Za-z0-9_-]{43})" id="download-export"/.exec(exported.text)?.[1];
    expect(url).toBeDefined();
    const zip = await fetch(t.baseUrl + url!, { headers: { cookie: cookies.privacy } });
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(
      Buffer.from(await zip.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    expect((await fetch(t.baseUrl + url!, { headers: { cookie: cookies.compliance } })).status).toBe(403);

    page = await as.privacy('GET', `/dsr/${id}`);
    expect(page.text).not.toContain('id="download-export"'); // only the result page shows the link
    expect(page.text).toMatch(/<tr data-system="patient-platform" data-kind="export" data-status="done">/);
    expect(page.text).toContain('patients: 1 row');
    const againPost = await postForm('privacy', `/dsr/${id}/export-link`);
    expect(againPost.status).toBe(303);
    const again = await as.privacy('GET', againPost.location!);
    const url2 = /<a href="(\/api\/dsr\/exports\/[A-Za-z0-9_-]{43})" id="download-export"/.exec(again.text)?.[1];
    expect(url2).toBeDefined();
    expect(url2).not.toBe(url);

    expect((await postForm('privacy', `/dsr/${id}/complete`, { note: '' })).status).toBe(400);
    expect(
      (await postForm('privacy', `/dsr/${id}/complete`, { note: 'Package sent by registered e-mail' })).status,
    ).toBe(303);
    page = await as.privacy('GET', `/dsr/${id}`);
    expect(page.text).toContain('data-status="completed"');
    expect(page.text).toContain('<p id="closing-note"><strong>Closed:</strong> Package sent by registered e-mail</p>');
    expect(page.text).not.toContain('id="complete-submit"');
  });

  it('schedules erasure after the grace period, cancels it; a legal hold blocks it; grace 0 erases and shows the receipt', async () => {
    const p = await patient(3);
    const id = await verifiedRequest(p, 'erasure');
    let page = await as.privacy('GET', `/dsr/${id}`);
    expect(page.text).toMatch(/<input type="number" name="graceDays" min="0" max="30" step="1" value="7" required>/);

    expect((await postForm('privacy', `/dsr/${id}/erase`, { graceDays: '7' })).status).toBe(303);
    page = await as.privacy('GET', `/dsr/${id}`);
    expect(page.text).toContain('id="erasure-scheduled"');
    expect(page.text).toContain('id="cancel-erasure"');
    expect(page.text).not.toContain('id="erase-form"');
    expect((await postForm('privacy', `/dsr/${id}/erase/cancel`)).status).toBe(303);
    page = await as.privacy('GET', `/dsr/${id}`);
    expect(page.text).not.toContain('id="erasure-scheduled"');
    expect(page.text).toContain('id="erase-form"');

    expect((await postForm('privacy', `/dsr/${id}/holds`, { reason: 'Litigation <hold> by legal' })).status).toBe(303);
    page = await as.privacy('GET', `/dsr/${id}`);
    expect(page.text).toContain('Litigation &lt;hold&gt; by legal');
    expect(page.text).toContain('id="erase-blocked"');
    const blocked = await postForm('privacy', `/dsr/${id}/erase`, { graceDays: '0' }, { accept: 'text/html' });
    expect(blocked.status).toBe(422);
    expect(blocked.text).toContain('Erasure is blocked by a legal hold: Litigation &lt;hold&gt; by legal');
    const holdId = /<tr data-hold="([0-9a-f-]{36})" class="active">/.exec(page.text)![1];
    expect((await postForm('privacy', `/dsr/${id}/holds/${holdId}/release`)).status).toBe(303);

    expect((await postForm('privacy', `/dsr/${id}/erase`, { graceDays: '0' })).status).toBe(303);
    page = await as.privacy('GET', `/dsr/${id}`);
    expect(page.text).not.toContain('id="dsr-error"');
    expect(page.text).toContain('data-status="completed"');
    expect(page.text).toContain('id="receipt"');
    // The profile keeps its patient_id link to retained clinical rows: pseudonymised, not anonymised (issue 12).
    expect(page.text).toMatch(
      /<p id="receipt-totals"><strong>\d+<\/strong> row\(s\) deleted, <strong>0<\/strong> anonymised, <strong>[1-9]\d*<\/strong> pseudonymised, <strong>[1-9]\d*<\/strong> retained\./,
    );
    expect(page.text).toMatch(
      /<tr data-table="encounters" data-rule="retain" data-method="retain">.*retained.*PDPA s\. 26\(5\)\(a\).*\(kept P10Y\)/,
    );
    expect(page.text).toMatch(/<tr data-table="patients" data-rule="anonymise" data-method="pseudonymise">/);
    expect(page.text).toMatch(
      /<p id="backups">Backups that still hold the subject expire <strong>[^<]+ ICT<\/strong> \(kept 35 days\)/,
    );
    expect(page.text).toContain('<span class="clock-met">within the period</span>');
    const evidence = /<a href="\/api\/evidence\/([0-9a-f-]{36})\/download" id="receipt-evidence">/.exec(page.text)?.[1];
    expect(evidence).toBeDefined();
    expect((await as.privacy('GET', `/api/evidence/${evidence}/download`)).json).toMatchObject({
      reference: expect.stringMatching(/^DSR-/),
      totals: expect.any(Object),
    });
    const { rows } = await platform.query('SELECT email FROM patients WHERE id = $1', [p.id]);
    expect(rows[0].email).toBeNull();
  });

  it('refuses a request with a reason; restriction is executed through the map', async () => {
    const refused = await verifiedRequest(await patient(4), 'portability');
    expect((await postForm('privacy', `/dsr/${refused}/reject`, { reason: 'no' })).status).toBe(400);
    expect(
      (await postForm('privacy', `/dsr/${refused}/reject`, { reason: 'Manifestly unfounded: repeated request' }))
        .status,
    ).toBe(303);
    const page = await as.privacy('GET', `/dsr/${refused}`);
    expect(page.text).toContain('data-status="rejected"');
    expect(page.text).toContain('<strong>Refused:</strong> Manifestly unfounded: repeated request');

    const p = await patient(5);
    const restricted = await verifiedRequest(p, 'restriction');
    expect((await as.privacy('GET', `/dsr/${restricted}`)).text).toContain('id="execute-submit"');
    expect((await postForm('privacy', `/dsr/${restricted}/execute`)).status).toBe(303);
    const after = await as.privacy('GET', `/dsr/${restricted}`);
    expect(after.text).toMatch(/<tr data-system="patient-platform" data-kind="restrict" data-status="done">/);
    const { rows } = await platform.query('SELECT processing_restricted FROM patients WHERE id = $1', [p.id]);
    expect(rows[0].processing_restricted).toBe(true);
  });
});

describe('data systems, drills and manual tasks', () => {
  it('shows the data map to the privacy officer and compliance manager; only the privacy officer imports', async () => {
    const page = await as.privacy('GET', '/dsr/systems');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<article class="data-system" data-system="patient-platform" data-kind="postgres">');
    expect(page.text).toContain('connection URL (stored encrypted)');
    expect(page.text).not.toContain('postgres://');
    expect(page.text).toMatch(
      /<tr data-table="newsletter_subscriptions" data-rule="delete">\s*<td><code>newsletter_subscriptions<\/code><\/td>\s*<td><small>email: email<\/small><\/td>/,
    );
    expect(page.text).toContain('through patient_id → patients.id');
    expect(page.text).toContain('first_name → “[erased]”');
    expect(page.text).toContain('href="/api/dsr/systems/export"');
    expect(page.text).toContain('id="import-systems"');
    const seen = await as.compliance('GET', '/dsr/systems');
    expect(seen.status).toBe(200);
    expect(seen.text).not.toContain('id="import-systems"');
    expect((await postForm('compliance', '/dsr/systems/import', { yaml: 'key: x' })).status).toBe(403);
  });

  it('a compliance manager runs a drill from the page; it is listed as passed with its evidence', async () => {
    const res = await postForm('compliance', '/dsr/drills');
    expect(res.status).toBe(303);
    const drill = /^\/dsr\/drills#drill-([0-9a-f-]{36})$/.exec(res.location!)?.[1];
    expect(drill).toBeDefined();
    const page = await as.compliance('GET', '/dsr/drills');
    const row = page.text.slice(page.text.indexOf(`<tr id="drill-${drill}"`)).split('</tr>')[0];
    expect(row).toContain('data-result="passed"');
    expect(row).toContain('<td>page</td>'); // run from a page, not the API
    expect(row).toMatch(/<code>patient-platform<\/code> drilled: 7 seeded, \d+ exported/);
    expect(row).toMatch(/<a href="\/api\/evidence\/[0-9a-f-]{36}\/download\?file=2">report \(PDF\)<\/a>/);
    expect((await as.privacy('GET', '/dsr/drills')).text).toContain('id="run-drill-submit"');
  });

  it('imports a manual system from YAML (errors name the document); its tasks go to the owner, who completes them', async () => {
    const bad = await postForm(
      'privacy',
      '/dsr/systems/import',
      { yaml: 'key: crm\nname: CRM\nkind: manual\nowner: { department: engineering }\n' },
      { accept: 'text/html' },
    );
    expect(bad.status).toBe(400);
    // A problem in an uploaded file keeps its path, to find it in the file.
    expect(bad.text).toContain(
      '<li data-field="documents[0].manual">documents[0].manual: is required when kind is manual</li>',
    );
    const yaml =
      'key: crm\nname: Sales CRM\nkind: manual\nowner: { department: engineering, user: owner@demo.local }\nmanual:\n  checklist: [Find the customer by e-mail, Export or delete the record]\n';
    const res = await postForm('privacy', '/dsr/systems/import', { yaml });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/dsr/systems');
    const page = await as.privacy('GET', '/dsr/systems');
    expect(page.text).toContain('<article class="data-system" data-system="crm" data-kind="manual">');
    expect(page.text).toContain('<li>Export or delete the record</li>');

    const id = await verifiedRequest(await patient(6), 'access');
    expect((await postForm('privacy', `/dsr/${id}/export`)).status).toBe(303);
    expect((await as.privacy('GET', `/dsr/${id}`)).text).toMatch(
      /<tr data-system="crm" data-kind="manual-export" data-status="awaiting_manual">/,
    );

    const tasks = await as.owner('GET', '/dsr/tasks');
    expect(tasks.status).toBe(200);
    const taskId = /<article class="dsr-task" data-task="([0-9a-f-]{36})" data-status="awaiting_manual">/.exec(
      tasks.text,
    )?.[1];
    expect(taskId).toBeDefined();
    expect(tasks.text).toContain(
      '<label><input type="checkbox" name="done" value="1"> Export or delete the record</label>',
    );
    expect(tasks.text).not.toContain(`href="/dsr/${id}"`); // the owner cannot open the request

    const half = await postForm('owner', `/dsr/tasks/${taskId}/complete`, { items: '2', done: '0', note: 'Found him' });
    expect(half.status).toBe(400);
    expect(half.json.errors[0]).toMatchObject({
      field: 'checklist',
      message: expect.stringContaining('Export or delete the record'),
    });
    expect(
      (await postForm('viewer', `/dsr/tasks/${taskId}/complete`, { items: '2', done: ['0', '1'], note: 'x' })).status,
    ).toBe(403);
    const done = await postForm('owner', `/dsr/tasks/${taskId}/complete`, {
      items: '2',
      done: ['0', '1'],
      note: 'Exported the CRM record and sent it to privacy',
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/dsr/tasks');
    expect((await as.owner('GET', '/dsr/tasks')).text).toContain('id="no-tasks"');
    const all = await as.owner('GET', '/dsr/tasks?open=false');
    expect(all.text).toContain('Note: Exported the CRM record and sent it to privacy');
    expect((await as.privacy('GET', `/dsr/${id}`)).text).toMatch(
      /<tr data-system="crm" data-kind="manual-export" data-status="done">/,
    );
  });
});
