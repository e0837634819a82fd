// The findings register over real HTTP (issue 18): scanner reports imported by CI with an API token
// (idempotent; a finding missing from a later scan is resolved by it, with the report as evidence), the SLA
// clock from controls/release-gates.yaml, fix and retest, pen tests, a risk acceptance signed with the
// password again (a wrong password signs nothing) that lets a release's blocking-dependency gate pass,
// refusals naming the field, access by role and department (404 outside it, auditors inside their
// engagement), and escalation of due-soon and overdue findings once only.
import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { DEMO_PASSWORD } from '../../src/identity/demo-users';
import { FindingEscalationsService } from '../../src/findings/finding-escalations.service';
import { acceptanceSha256 } from '../../src/findings/domain/finding-model';
import { findingClock } from '../../src/releases/domain/secops-clocks';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { postForm } from '../support/forms';

type Who = 'admin' | 'compliance' | 'owner' | 'owner2' | 'auditor' | 'viewer';
let t: TestApp;
let as: Record<Who, ReturnType<typeof client>>;
const cookies = {} as Record<Who, string>;
let token: string;
let ci: ReturnType<typeof client>;
const PRODUCT = 'hms';
const DAY = 86_400_000;

/** An npm audit v2 report with one advisory per [GHSA id, package, severity]. */
function npmAudit(vulns: [string, string, string][]): Buffer {
  const vulnerabilities: Record<string, unknown> = {};
  for (const [ghsa, pkg, severity] of vulns)
    vulnerabilities[pkg] = {
      name: pkg,
      severity,
      via: [
        {
          source: 1,
          name: pkg,
          title: `${pkg} is vulnerable`,
          url: `https://github.com/advisories/${ghsa}`,
          severity,
          range: '<2.0.0',
        },
      ],
    };
  return Buffer.from(JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: {} }));
}
const A = ['GHSA-2222-3333-4444', 'left-pad', 'high'] as [string, string, string];
const B = ['GHSA-5555-6666-7777', 'right-pad', 'moderate'] as [string, string, string];

async function upload(path: string, bytes: Buffer, bearer = token) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), 'report.json');
  const res = await fetch(`${t.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}` },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
const importNpm = (bytes: Buffer, product = PRODUCT) =>
  upload(`/api/findings/imports/npm-audit?product=${product}`, bytes);

function expectProblem(res: { status: number; headers: Headers; json: any }, status: number, fields?: string[]) {
  expect([res.status, res.headers.get('content-type')?.split(';')[0]]).toEqual([status, 'application/problem+json']);
  if (fields) expect(res.json.errors.map((e: any) => e.field)).toEqual(fields);
}

/** A statement straight on the test database (no application in between). */
async function sql(text: string): Promise<void> {
  const c = new Client({ connectionString: t.db.url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

const findingsOf = async (product: string) =>
  (await as.compliance('GET', `/api/findings?product=${product}&limit=100`)).json.items as any[];

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  as = {} as typeof as;
  for (const who of ['admin', 'compliance', 'owner', 'owner2', 'auditor', 'viewer'] as const) {
    cookies[who] = await login(t.baseUrl, DEMO[who]);
    as[who] = client(t.baseUrl, cookies[who]);
  }
  token = (await as.owner('POST', '/api/tokens', { name: 'ci', expiresInDays: 30 })).json.token;
  ci = client(t.baseUrl, token);
}, 120_000);
afterAll(async () => t?.close());

describe('scanner imports', () => {
  it('are idempotent: the same report twice changes nothing', async () => {
    const report = npmAudit([A, B]);
    const first = await importNpm(report);
    expect([first.status, first.json.created, first.json.opened]).toEqual([201, true, 2]);
    const before = await findingsOf(PRODUCT);
    expect(before.map((f) => [f.fingerprint, f.severity, f.status, f.department])).toEqual(
      expect.arrayContaining([
        ['GHSA-2222-3333-4444:left-pad', 'high', 'open', 'engineering'],
        ['GHSA-5555-6666-7777:right-pad', 'moderate', 'open', 'engineering'],
      ]),
    );
    const again = await importNpm(report);
    expect([again.status, again.json.created, again.json.importId, again.json.opened]).toEqual([
      200,
      false,
      first.json.importId,
      0,
    ]);
    expect(await findingsOf(PRODUCT)).toEqual(before);
  });

  it('marks a finding missing from a later scan of the kind and product resolved_by_scan, with the report as evidence', async () => {
    const later = await importNpm(npmAudit([A]));
    expect([later.status, later.json.resolved, later.json.unchanged]).toEqual([201, 1, 1]);
    const b = (await findingsOf(PRODUCT)).find((f) => f.fingerprint?.endsWith(':right-pad'));
    expect([b.status, b.fixEvidenceId, b.sla.state]).toEqual([
      'resolved_by_scan',
      later.json.evidenceId,
      'closed_in_time',
    ]);
    expect((await as.compliance('GET', `/api/evidence/${later.json.evidenceId}`)).status).toBe(200);
    // Another product's scan does not touch this product's findings.
    expect((await importNpm(npmAudit([]), 'patient-platform')).json.resolved).toBe(0);
    expect((await findingsOf(PRODUCT)).find((f) => f.fingerprint?.endsWith(':left-pad')).status).toBe('open');
  });

  it('refuses a malformed report naming the place in the file, and a missing product', async () => {
    expectProblem(await importNpm(Buffer.from('{"auditReportVersion":1,"advisories":{}}')), 400, [
      'file/auditReportVersion',
    ]);
    expectProblem(await importNpm(Buffer.from('not json')), 400, ['file']);
    expectProblem(await upload('/api/findings/imports/npm-audit', npmAudit([])), 400, ['product']);
    expectProblem(await upload('/api/findings/imports/trivy?product=hms', npmAudit([])), 400, ['kind']);
  });
});

describe('findings by hand, SLA clock, fix and retest', () => {
  it('shows the SLA clock from the severity’s days in controls/release-gates.yaml', async () => {
    const openedAt = new Date(Date.now() - 20 * DAY);
    const res = await as.owner('POST', '/api/findings', {
      source: 'manual',
      severity: 'critical',
      title: 'Admin panel reachable without MFA',
      product: 'patient-platform',
      openedAt: openedAt.toISOString(),
    });
    expect(res.status).toBe(201);
    const clock = findingClock(new Date(res.json.openedAt), 14, new Date(), 'Asia/Bangkok', null);
    expect(res.json.sla).toEqual({ days: 14, dueAt: clock.dueAt.toISOString(), state: 'overdue' });
    expect([res.json.department, res.json.status]).toEqual(['engineering', 'open']);
  });

  it('records a pen test and its findings; fix with evidence, a failed retest reopens, a passed one closes', async () => {
    const pen = await as.owner('POST', '/api/pen-tests', {
      vendor: 'Acme Security',
      title: 'External test',
      startsOn: '2026-11-02',
      endsOn: '2026-11-13',
    });
    expect(pen.status).toBe(201);
    expect((await as.owner('GET', '/api/pen-tests')).json.items.map((p: any) => p.id)).toContain(pen.json.id);
    const f = await as.owner('POST', '/api/findings', {
      source: 'pen_test',
      penTestId: pen.json.id,
      severity: 'high',
      title: 'IDOR on /api/patients',
      product: 'patient-platform',
    });
    expect([f.status, f.json.source, f.json.penTestId]).toEqual([201, 'pen_test', pen.json.id]);
    const evidenceId = (await importNpm(npmAudit([]), 'pen-evidence')).json.evidenceId;
    const fixed = await as.owner('POST', `/api/findings/${f.json.id}/fix`, {
      evidenceId,
      note: 'ownership check added',
    });
    expect([fixed.status, fixed.json.status, fixed.json.fixEvidenceId, fixed.json.sla.state]).toEqual([
      201,
      'fixed',
      evidenceId,
      'closed_in_time',
    ]);
    const failed = await as.owner('POST', `/api/findings/${f.json.id}/retest`, { result: 'failed' });
    expect([failed.json.status, failed.json.closedAt, failed.json.retestResult]).toEqual(['open', null, 'failed']);
    expectProblem(await as.owner('POST', `/api/findings/${f.json.id}/retest`, { result: 'passed' }), 409, ['status']);
    await as.owner('POST', `/api/findings/${f.json.id}/fix`, { evidenceId });
    const passed = await as.owner('POST', `/api/findings/${f.json.id}/retest`, { result: 'passed' });
    expect([passed.json.status, passed.json.retestResult]).toEqual(['closed', 'passed']);
  });

  it('refuses bad input naming the field', async () => {
    const base = { source: 'manual', severity: 'high', title: 't', product: 'hms' };
    expectProblem(await as.owner('POST', '/api/findings', { ...base, severity: 'urgent' }), 400, ['severity']);
    expectProblem(await as.owner('POST', '/api/findings', { ...base, source: 'pen_test' }), 400, ['penTestId']);
    expectProblem(await as.owner('POST', '/api/findings', { ...base, department: 'nowhere' }), 400, ['department']);
    expectProblem(await as.owner('POST', '/api/findings', { ...base, openedAt: '2026-12-01' }), 400, ['openedAt']);
    const f = await as.owner('POST', '/api/findings', base);
    expectProblem(
      await as.owner('POST', `/api/findings/${f.json.id}/fix`, { evidenceId: '00000000-0000-4000-8000-000000000000' }),
      400,
      ['evidenceId'],
    );
    expectProblem(await as.owner('POST', `/api/findings/${f.json.id}/retest`, { result: 'maybe' }), 400, ['result']);
    expectProblem(
      await as.owner('POST', '/api/pen-tests', {
        vendor: 'v',
        title: 't',
        startsOn: '2026-11-10',
        endsOn: '2026-11-01',
      }),
      400,
      ['endsOn'],
    );
  });
});

describe('access', () => {
  it('control owners manage their department’s findings; others get 404; viewers nothing; auditors inside their engagement', async () => {
    const eng = await as.owner('POST', '/api/findings', {
      source: 'manual',
      severity: 'low',
      title: 'Verbose errors',
      product: 'hms',
    });
    const old = await as.compliance('POST', '/api/findings', {
      source: 'manual',
      severity: 'low',
      title: 'Old one',
      product: 'hms',
      department: 'engineering',
      openedAt: `${new Date().getUTCFullYear() - 1}-06-01T00:00:00Z`,
    });
    expect([eng.status, old.status]).toEqual([201, 201]);
    expectProblem(await as.owner2('GET', `/api/findings/${eng.json.id}`), 404);
    expectProblem(
      await as.owner2('POST', `/api/findings/${eng.json.id}/fix`, {
        evidenceId: '00000000-0000-4000-8000-000000000000',
      }),
      404,
    );
    expect((await as.owner2('GET', '/api/findings?limit=100')).json.items.map((f: any) => f.id)).not.toContain(
      eng.json.id,
    );
    expectProblem(
      await as.owner2('POST', '/api/findings', {
        source: 'manual',
        severity: 'low',
        title: 'x',
        product: 'hms',
        department: 'engineering',
      }),
      403,
    );
    expectProblem(await as.viewer('GET', '/api/findings'), 403);
    // The demo auditor's engagement covers SOC 2 this year: the findings open at any time in it, as the pack
    // lists them — one opened this year, and one opened last year still open; not one closed last year.
    expect((await as.auditor('GET', `/api/findings/${eng.json.id}`)).status).toBe(200);
    expect((await as.auditor('GET', `/api/findings/${old.json.id}`)).status).toBe(200);
    const closedLastYear = await as.compliance('POST', '/api/findings', {
      source: 'manual',
      severity: 'low',
      title: 'Closed last year',
      product: 'hms',
      department: 'engineering',
      openedAt: `${new Date().getUTCFullYear() - 1}-03-01T00:00:00Z`,
    });
    expect(closedLastYear.status).toBe(201);
    const lastDay = `${new Date().getUTCFullYear() - 1}-12-31T16:59:59Z`; // 23:59:59 in Bangkok, 31 December
    await t.app
      .get(DataSource)
      .query(`UPDATE findings SET status = 'closed', closed_at = $2, retested_at = $2 WHERE id = $1`, [
        closedLastYear.json.id,
        lastDay,
      ]);
    expectProblem(await as.auditor('GET', `/api/findings/${closedLastYear.json.id}`), 404);
    const listed = (await as.auditor('GET', '/api/findings?limit=200')).json.items.map((f: any) => f.id);
    expect(listed).toEqual(expect.arrayContaining([eng.json.id, old.json.id]));
    expect(listed).not.toContain(closedLastYear.json.id);
    expectProblem(await as.auditor('POST', `/api/findings/${eng.json.id}/retest`, { result: 'passed' }), 403);
    // Only compliance managers and admins accept risk; clinical owners do not import scans.
    expectProblem(
      await as.owner('POST', `/api/findings/${eng.json.id}/acceptance`, {
        reason: 'r',
        expiresOn: '2099-01-01',
        password: DEMO_PASSWORD,
      }),
      403,
    );
    const clinicalToken = (await as.owner2('POST', '/api/tokens', { name: 'x', expiresInDays: 1 })).json.token;
    expectProblem(
      await upload('/api/findings/imports/osv?product=hms', Buffer.from('{"results":[]}'), clinicalToken),
      403,
    );
  });
});

describe('risk acceptance and the release gate', () => {
  it('a signed acceptance (wrong password refused, token refused) lets the blocking-dependency gate pass', async () => {
    const release = await ci('POST', '/api/releases', {
      product: PRODUCT,
      version: '9.1.0',
      commit: 'abcdef12',
      builtAt: new Date().toISOString(),
    });
    expect(release.status).toBe(201);
    expect((await upload(`/api/releases/${PRODUCT}/9.1.0/attachments/npm_audit`, npmAudit([A]))).status).toBe(201);
    const gate = async () =>
      (await ci('GET', `/api/releases/${PRODUCT}/9.1.0/decision`)).json.missing.map((m: any) => m.gate) as string[];
    expect(await gate()).toContain('no_blocking_dependency_findings');

    const a = (await findingsOf(PRODUCT)).find((f) => f.fingerprint === 'GHSA-2222-3333-4444:left-pad');
    const body = {
      reason: 'Not reachable: left-pad only runs in the build',
      expiresOn: new Date(Date.now() + 90 * DAY).toISOString().slice(0, 10),
      password: 'wrong-password',
    };
    expectProblem(
      await as.compliance('POST', `/api/findings/${a.id}/acceptance`, { ...body, expiresOn: '2020-01-01' }),
      400,
      ['expiresOn'],
    );
    const wrong = await as.compliance('POST', `/api/findings/${a.id}/acceptance`, body);
    expect([wrong.status, wrong.json.code]).toEqual([403, 'finding.wrong_password']);
    const complianceToken = (await as.compliance('POST', '/api/tokens', { name: 'x', expiresInDays: 1 })).json.token;
    const viaToken = await client(t.baseUrl, complianceToken)('POST', `/api/findings/${a.id}/acceptance`, {
      ...body,
      password: DEMO_PASSWORD,
    });
    expect([viaToken.status, viaToken.json.code]).toEqual([403, 'finding.signature_needs_session']);
    expect((await as.compliance('GET', `/api/findings/${a.id}`)).json.status).toBe('open');
    expect(await gate()).toContain('no_blocking_dependency_findings');

    const signed = await as.compliance('POST', `/api/findings/${a.id}/acceptance`, {
      ...body,
      expiresOn: '2027-06-30',
      password: DEMO_PASSWORD,
    });
    expect([signed.status, signed.json.status, signed.json.acceptance.expiresOn, signed.json.acceptance.holds]).toEqual(
      [201, 'accepted', '2027-06-30', true],
    );
    const acc = signed.json.acceptance;
    expect(acc.recordSha256).toBe(
      acceptanceSha256({
        findingId: a.id,
        fingerprint: a.fingerprint,
        severity: a.severity,
        title: a.title,
        reason: body.reason,
        expiresOn: acc.expiresOn,
        meaning: acc.meaning,
        signerUserId: acc.signerUserId,
        signedAt: new Date(acc.signedAt),
      }),
    );
    expect(await gate()).not.toContain('no_blocking_dependency_findings');
    const detail = (await ci('GET', `/api/releases/${PRODUCT}/9.1.0`)).json;
    expect(detail.findings.excepted.map((f: any) => f.fingerprint)).toEqual([a.fingerprint]);
    // The acceptance is append-only.
    await expect(sql('DELETE FROM finding_acceptances')).rejects.toThrow(/append-only/);
  });
});

describe('escalation', () => {
  it('notifies the owner when due soon and compliance managers when overdue, once each', async () => {
    const me = (await as.owner('GET', '/api/me')).json;
    const soon = await as.compliance('POST', '/api/findings', {
      source: 'manual',
      severity: 'critical',
      title: 'Due soon one',
      product: 'hms',
      department: 'engineering',
      ownerUserId: me.id,
      openedAt: new Date(Date.now() - 12 * DAY).toISOString(),
    });
    const late = await as.compliance('POST', '/api/findings', {
      source: 'manual',
      severity: 'high',
      title: 'Overdue one',
      product: 'hms',
      department: 'engineering',
      openedAt: new Date(Date.now() - 30 * DAY).toISOString(),
    });
    expect([soon.json.sla.state, late.json.sla.state]).toEqual(['due_soon', 'overdue']);
    const escalations = t.app.get(FindingEscalationsService);
    const first = await escalations.escalate(new Date());
    expect(first.dueSoon).toBeGreaterThanOrEqual(1);
    expect(first.overdue).toBeGreaterThanOrEqual(1);
    expect(await escalations.escalate(new Date())).toEqual({ dueSoon: 0, overdue: 0 });
    const links = async (who: Who) =>
      ((await as[who]('GET', '/api/notifications?limit=100')).json.items as any[]).map((n) => `${n.kind} ${n.link}`);
    expect((await links('owner')).filter((l) => l === `finding.due_soon /findings/${soon.json.id}`)).toHaveLength(1);
    expect((await links('compliance')).filter((l) => l === `finding.overdue /findings/${late.json.id}`)).toHaveLength(
      1,
    );
  });
});

describe('demo data', () => {
  it('has an overdue critical finding and an accepted one', async () => {
    const all = (await as.compliance('GET', '/api/findings?limit=100')).json.items as any[];
    const critical = all.find((f) => f.title === 'Admin console reachable from the internet without MFA');
    expect([critical.severity, critical.status, critical.sla.state]).toEqual(['critical', 'open', 'overdue']);
    const accepted = all.find((f) => f.fingerprint === 'GHSA-demo-0000-0001:npm/demo-image-resizer');
    expect([accepted.status, accepted.acceptance.holds]).toEqual(['accepted', true]);
  });
});

describe('pages', () => {
  const page = async (who: Who, path: string) => {
    const res = await fetch(t.baseUrl + path, { headers: { cookie: cookies[who], accept: 'text/html' } });
    return { status: res.status, html: await res.text() };
  };

  it('lists findings with severity, SLA state and the due date in the compliance zone; viewers are refused', async () => {
    const list = await page('compliance', '/findings?severity=critical');
    expect(list.status).toBe(200);
    expect(list.html).toContain('Admin console reachable from the internet without MFA');
    expect(list.html).toMatch(/data-sla="overdue"/);
    expect(list.html).toMatch(/\d{1,2} \w{3} \d{4}, \d{2}:\d{2} (ICT|\+07|Asia\/Bangkok)/);
    expect(list.html).not.toContain('Session cookie lifetime');
    expect(list.html).toContain('href="/findings"');
    expect((await page('viewer', '/findings')).status).toBe(403);
  });

  it('signs an acceptance from the page: CSRF needed, a wrong password re-renders with the input kept, then 303', async () => {
    const f = await as.owner('POST', '/api/findings', {
      source: 'manual',
      severity: 'high',
      title: 'Page acceptance',
      product: 'hms',
    });
    const path = `/findings/${f.json.id}/acceptance`;
    const fields = {
      reason: 'Compensating WAF rule <in place>',
      expiresOn: new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10),
    };
    expect(
      (await postForm(t.baseUrl, cookies.compliance, path, { ...fields, password: DEMO_PASSWORD, _csrf: '' })).status,
    ).toBe(403);
    const wrong = await postForm(t.baseUrl, cookies.compliance, path, { ...fields, password: 'not-my-password' });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('Compensating WAF rule &lt;in place&gt;');
    expect(wrong.text).toContain(`value="${fields.expiresOn}"`);
    expect(wrong.text).not.toContain('not-my-password');
    const ok = await postForm(t.baseUrl, cookies.compliance, path, { ...fields, password: DEMO_PASSWORD });
    expect([ok.status, ok.location]).toEqual([303, `/findings/${f.json.id}#acceptance`]);
    expect((await page('compliance', `/findings/${f.json.id}`)).html).toContain('id="finding-acceptance"');
    const fix = await postForm(t.baseUrl, cookies.owner, `/findings/${f.json.id}/fix`, {
      evidenceId: 'nope',
      note: 'kept note',
    });
    expect(fix.status).toBe(400);
    expect(fix.text).toContain('kept note');
    expect((await page('owner2', `/findings/${f.json.id}`)).status).toBe(404);
  });
});
