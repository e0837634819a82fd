// The auditor portal over HTTP as the demo personas: the demo auditor's engagement (SOC 2, this year) with
// its scope, browsing requirements → controls → evidence dated within the period, a request on a
// requirement answered by the compliance manager, the engagements page (open, revoke), and a pack asked
// for from the portal, followed on its page until its downloads appear.
import { PackBuilder } from '../../src/audit-packs/pack-builder.service';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { csrfToken } from '../support/forms';

let t: TestApp;
const cookies: Record<string, string> = {};
let auditor: ReturnType<typeof client>;
let compliance: ReturnType<typeof client>;
let engagementId: string;
let soc2Control: string;
const year = Number(new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 4));
const ev: Record<'inside' | 'outside', string> = {} as never;

async function postForm(who: string, path: string, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  body.append('_csrf', await csrfToken(t.baseUrl, cookies[who]));
  const res = await fetch(t.baseUrl + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookies[who], accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  for (const who of ['auditor', 'compliance', 'viewer', 'owner'] as const)
    cookies[who] = await login(t.baseUrl, DEMO[who]);
  auditor = client(t.baseUrl, cookies.auditor);
  compliance = client(t.baseUrl, cookies.compliance);
  engagementId = (await auditor('GET', '/api/engagements?active=1')).json.items[0].id;
  const controls = (await compliance('GET', '/api/controls?framework=soc2&limit=200')).json.items as {
    key: string;
    requirements: { framework: string; ref: string }[];
  }[];
  soc2Control = controls.find((c) => c.requirements.some((r) => r.framework === 'soc2' && r.ref === 'CC6.1'))!.key;
  const add = async (evidenceDate: string, title: string) => {
    const res = await compliance('POST', '/api/evidence', {
      kind: 'attestation',
      title,
      statement: 'Quarterly review done.',
      controls: [soc2Control],
      evidenceDate,
      periodStart: evidenceDate,
      periodEnd: evidenceDate,
    });
    expect(res.status).toBe(201);
    return res.json.id as string;
  };
  ev.inside = await add(`${year}-01-01`, 'Inside the audit period');
  ev.outside = await add(`${year - 1}-12-31`, 'Before the audit period');
}, 120_000);
afterAll(async () => t?.close());

describe('the auditor', () => {
  it('sees the menu entry and the engagement scope: frameworks, period, expiry, a pack form', async () => {
    const page = await auditor('GET', '/audit');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/audit" aria-current="page">Audit</a>');
    expect(page.text).not.toContain('<a href="/audit/engagements">Engagements</a>');
    expect(page.text).toContain(`id="engagement-${engagementId}"`);
    expect(page.text).toContain('<code class="scope-framework">soc2</code>');
    expect(page.text).toContain(`<time>${year}-01-01</time> – <time>${year}-12-31</time>`);
    expect(page.text).toContain(`id="request-pack-${engagementId}"`);
    // The signing certificate's fingerprint, to compare with the one inside a pack.
    const cert = (await auditor('GET', '/api/packs/certificate')).json;
    expect(page.text).toContain(`<code id="signing-fingerprint">${cert.fingerprintSha256}</code>`);
  });

  it('browses requirements → controls → evidence dated within the period, with downloads', async () => {
    const fw = await auditor('GET', `/audit/engagements/${engagementId}/frameworks/soc2`);
    expect(fw.status).toBe(200);
    expect(fw.text).toContain('id="req-CC6_1"');
    expect(fw.text).toContain(`href="/audit/engagements/${engagementId}/controls/${soc2Control}"`);
    const control = await auditor('GET', `/audit/engagements/${engagementId}/controls/${soc2Control}`);
    expect(control.status).toBe(200);
    expect(control.text).toContain(`data-evidence="${ev.inside}"`);
    expect(control.text).not.toContain(`data-evidence="${ev.outside}"`);
    expect(control.text).toContain(`href="/api/evidence/${ev.inside}/download?file&#x3D;1"`);
    expect((await auditor('GET', `/api/evidence/${ev.inside}/download?file=1`)).status).toBe(200);
    expect((await auditor('GET', `/api/evidence/${ev.outside}/download?file=1`)).status).toBe(404);
  });

  it('gets the error page outside the scope: another framework, an unknown engagement', async () => {
    const other = await auditor('GET', `/audit/engagements/${engagementId}/frameworks/iso27001`, undefined, {
      accept: 'text/html',
    });
    expect(other.status).toBe(404);
    expect(other.text).toContain('id="error"');
    expect(
      (await auditor('GET', `/audit/engagements/00000000-0000-4000-8000-000000000000/frameworks/soc2`)).status,
    ).toBe(404);
  });

  it('leaves a request on a requirement; the compliance manager answers it on the engagements page', async () => {
    const sent = await postForm('auditor', `/audit/engagements/${engagementId}/requests`, {
      framework: 'soc2',
      requirementRef: 'CC6.1',
      body: 'Please show <the> Q1 access review.',
    });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/audit/engagements/${engagementId}/frameworks/soc2#req-CC6_1`);
    const fw = await auditor('GET', `/audit/engagements/${engagementId}/frameworks/soc2`);
    expect(fw.text).toContain('Please show &lt;the&gt; Q1 access review.');
    const empty = await postForm('auditor', `/audit/engagements/${engagementId}/requests`, {
      framework: 'soc2',
      requirementRef: 'CC6.1',
      body: ' ',
    });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('id="error"');

    const manage = await compliance('GET', '/audit/engagements');
    expect(manage.status).toBe(200);
    const requestId = manage.text.match(
      /<article class="request" id="request-[0-9a-f-]{36}" data-request="([0-9a-f-]{36})">/,
    )![1];
    const answered = await postForm('compliance', `/audit/requests/${requestId}/answer`, {
      answer: 'Attached to ACC review.',
    });
    expect(answered.status).toBe(303);
    const portal = await auditor('GET', '/audit');
    expect(portal.text).toMatch(new RegExp(`<tr data-request="${requestId}" data-status="answered">`));
    expect(portal.text).toContain('Attached to ACC review.');
    // The manager keeps the answered request in view (history).
    const after = await compliance('GET', '/audit/engagements');
    expect(after.text).toMatch(
      new RegExp(`<tr id="request-${requestId}" data-request="${requestId}" data-status="answered">`),
    );
  });

  it('writes nothing through the pages: the managers’ forms answer 403', async () => {
    expect((await postForm('auditor', `/audit/engagements/${engagementId}/revoke`, {})).status).toBe(403);
    expect((await auditor('GET', '/audit/engagements')).status).toBe(403);
  });
});

describe('who else', () => {
  it('viewers and control owners have no portal', async () => {
    for (const who of ['viewer', 'owner'])
      expect((await client(t.baseUrl, cookies[who])('GET', '/audit')).status).toBe(403);
  });

  it('the compliance manager opens an engagement through the form and revokes it', async () => {
    const page = await compliance('GET', '/audit/engagements');
    expect(page.text).toContain('<a href="/audit/engagements" aria-current="page">Engagements</a>');
    const auditorId = (await auditor('GET', '/api/me')).json.id;
    const opened = await postForm('compliance', '/audit/engagements', {
      auditorUserId: auditorId,
      frameworks: ['soc2', 'pdpa'],
      from: `${year}-01-01`,
      to: `${year}-03-31`,
      expires: `${year + 1}-01-31`,
    });
    expect(opened.status).toBe(303);
    const list = (await compliance('GET', '/api/engagements')).json.items as {
      id: string;
      frameworks: string[];
      expiresAt: string;
      to: string;
    }[];
    const created = list.find((e) => e.to === `${year}-03-31`)!;
    expect(created.frameworks).toEqual(['soc2', 'pdpa']);
    expect(created.expiresAt).toBe(new Date(`${year + 1}-01-31T23:59:59.999+07:00`).toISOString());
    const bad = await postForm('compliance', '/audit/engagements', {
      auditorUserId: auditorId,
      frameworks: 'soc2',
      from: `${year}-03-01`,
      to: `${year}-01-01`,
      expires: `${year + 1}-01-31`,
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<li data-field="to">To must not be before from.</li>');
    // Without the confirmation the POST changes nothing and leads to the confirmation page.
    const unconfirmed = await postForm('compliance', `/audit/engagements/${created.id}/revoke`, {});
    expect([unconfirmed.status, unconfirmed.location]).toEqual([303, `/audit/engagements/${created.id}/revoke`]);
    expect((await compliance('GET', `/api/engagements/${created.id}`)).json.state).toBe('active');
    const confirm = await compliance('GET', `/audit/engagements/${created.id}/revoke`);
    expect(confirm.text).toContain('name="confirm" value="revoke"');
    const revoked = await postForm('compliance', `/audit/engagements/${created.id}/revoke`, { confirm: 'revoke' });
    expect(revoked.status).toBe(303);
    expect((await compliance('GET', `/api/engagements/${created.id}`)).json.state).toBe('revoked');
  });
});

describe('a pack from the portal', () => {
  it('is asked for, followed while it builds, and downloadable when done', async () => {
    const asked = await postForm('auditor', '/audit/packs', {
      engagementId,
      framework: 'soc2',
      from: `${year}-01-01`,
      to: `${year}-03-31`,
    });
    expect(asked.status).toBe(303);
    expect(asked.location).toMatch(/^\/audit\/packs\/[0-9a-f-]{36}$/);
    const id = asked.location!.split('/')[3];
    const queued = await auditor('GET', asked.location!);
    expect(queued.status).toBe(200);
    expect(queued.text).toMatch(/data-status="(queued|building)"/);
    expect(queued.text).toContain(`data-poll="/api/packs/${id}"`);
    expect(queued.text).toContain('<script src="/assets/pack-progress.js" defer></script>');
    await t.app.get(PackBuilder).buildNow(id);
    const done = await auditor('GET', asked.location!);
    expect(done.text).toContain('data-status="done"');
    expect(done.text).toContain(`href="/api/packs/${id}/pdf"`);
    const pdf = await fetch(`${t.baseUrl}/api/packs/${id}/pdf`, { headers: { cookie: cookies.auditor } });
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  }, 180_000);

  it('outside the engagement: refused on the packs page, the input kept', async () => {
    const res = await postForm('auditor', '/audit/packs', {
      engagementId,
      framework: 'soc2',
      from: `${year - 1}-12-01`,
      to: `${year}-03-31`,
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain('id="request-pack-error"');
    expect(res.text).toContain('not inside an engagement of yours');
    expect(res.text).toContain(`name="from" value="${year - 1}-12-01"`);
  });

  it('the polling script is served from the app itself', async () => {
    const js = await fetch(`${t.baseUrl}/assets/pack-progress.js`);
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('data-poll');
  });
});
