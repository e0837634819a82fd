// Auditor engagements over HTTP: compliance managers open and revoke them (validated, in the audit trail);
// inside an active one an auditor reads evidence dated within the period for the frameworks in scope (404
// outside it), sweeps, posture, risks, drills and the DSR register without subject identity, and writes
// nothing; without one, or once it has expired or been revoked, they read nothing. Requests on
// requirements go from the auditor to the compliance manager and back.
import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let db: Client;
let as: Record<
  'admin' | 'compliance' | 'owner' | 'privacy' | 'viewer' | 'demoAuditor' | 'auditor',
  ReturnType<typeof client>
>;
let auditorId: string;
let engagementId: string;
/** A control mapped to SOC 2, and one mapped to other frameworks only. */
let soc2Control: string;
let otherControl: string;
const ev: Record<'inside' | 'before' | 'after' | 'otherFramework', string> = {} as never;

const PERIOD = { from: '2025-01-01', to: '2025-06-30' };
const FUTURE = () => new Date(Date.now() + 30 * 86_400_000).toISOString();
const trail = async (action: string, subjectId: string) =>
  Number(
    (await db.query(`SELECT count(*) FROM audit_log WHERE action = $1 AND subject_id = $2`, [action, subjectId]))
      .rows[0].count,
  );

async function evidence(control: string, evidenceDate: string, title: string): Promise<string> {
  const res = await as.compliance('POST', '/api/evidence', {
    kind: 'attestation',
    title,
    statement: 'Reviewed.',
    controls: [control],
    evidenceDate,
    periodStart: evidenceDate.slice(0, 10),
    periodEnd: evidenceDate.slice(0, 10),
  });
  expect(res.status).toBe(201);
  return res.json.id;
}

/** Every read route an engagement opens, and what it must answer. */
const READS = [
  '/api/evidence',
  '/api/sweeps/current',
  '/api/posture',
  '/api/risks',
  '/api/dsr/requests',
  '/api/dsr/drills',
  '/api/engagement-requests',
];

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  db = new Client({ connectionString: t.db.url });
  await db.connect();
  const admin = client(t.baseUrl, await login(t.baseUrl, DEMO.admin));
  const created = await admin('POST', '/api/users', {
    email: 'ext-auditor@audit.test',
    name: 'Erin External',
    role: 'auditor',
  });
  expect(created.status).toBe(201);
  auditorId = created.json.user.id;
  as = {
    admin,
    compliance: client(t.baseUrl, await login(t.baseUrl, DEMO.compliance)),
    owner: client(t.baseUrl, await login(t.baseUrl, DEMO.owner)),
    privacy: client(t.baseUrl, await login(t.baseUrl, DEMO.privacy)),
    viewer: client(t.baseUrl, await login(t.baseUrl, DEMO.viewer)),
    demoAuditor: client(t.baseUrl, await login(t.baseUrl, DEMO.auditor)),
    auditor: client(t.baseUrl, await login(t.baseUrl, 'ext-auditor@audit.test', created.json.oneTimePassword)),
  };
  const controls = (await as.compliance('GET', '/api/controls?limit=200')).json.items as {
    key: string;
    requirements: { framework: string }[];
  }[];
  soc2Control = controls.find((c) => c.requirements.some((r) => r.framework === 'soc2'))!.key;
  otherControl = controls.find(
    (c) => c.requirements.length > 0 && c.requirements.every((r) => r.framework !== 'soc2'),
  )!.key;
  ev.inside = await evidence(soc2Control, '2025-03-01', 'inside the period');
  ev.before = await evidence(soc2Control, '2024-12-31T23:59:59+07:00', 'the day before');
  ev.after = await evidence(soc2Control, '2025-07-01', 'the day after');
  ev.otherFramework = await evidence(otherControl, '2025-03-01', 'another framework');
  const dsr = await as.privacy('POST', '/api/dsr/requests', {
    right: 'access',
    channel: 'email',
    subject: {
      name: 'Kanya Identity',
      email: 'kanya.identity@patient.test',
      phone: '66812345678',
      nationalId: '1103700000001',
    },
  });
  // Received within the engagement's period (an auditor reads DSRs by the day they were received).
  await db.query(`UPDATE dsr_requests SET received_at = '2025-03-01T10:00:00+07:00' WHERE id = $1`, [dsr.json.id]);
}, 120_000);
afterAll(async () => {
  await db?.end();
  await t?.close();
});

describe('without an engagement', () => {
  it('an auditor reads the catalog and their (empty) engagement list, and nothing else: 403', async () => {
    expect((await as.auditor('GET', '/api/frameworks')).status).toBe(200);
    const mine = await as.auditor('GET', '/api/engagements');
    expect(mine.status).toBe(200);
    expect(mine.json.items).toEqual([]);
    for (const path of [...READS, `/api/evidence/${ev.inside}`, `/api/evidence/${ev.inside}/download`])
      expect([path, (await as.auditor('GET', path)).status]).toEqual([path, 403]);
  });
});

describe('opening one', () => {
  const body = () => ({ auditorUserId: auditorId, frameworks: ['soc2'], ...PERIOD, expiresAt: FUTURE() });

  it('is refused, naming the field, for a non-auditor, an unknown framework, a reversed period or a past expiry', async () => {
    const ownerId = (await as.owner('GET', '/api/me')).json.id;
    const cases: [Record<string, unknown>, string][] = [
      [{ auditorUserId: ownerId }, 'auditorUserId'],
      [{ frameworks: ['soc2', 'nope'] }, 'frameworks'],
      [{ from: '2025-07-01', to: '2025-06-30' }, 'to'],
      [{ expiresAt: new Date(Date.now() - 1000).toISOString() }, 'expiresAt'],
      [{ from: '2025-02-30' }, 'from'],
    ];
    for (const [change, field] of cases) {
      const res = await as.compliance('POST', '/api/engagements', { ...body(), ...change });
      expect([field, res.status, res.headers.get('content-type')]).toEqual([
        field,
        400,
        expect.stringContaining('application/problem+json'),
      ]);
      expect(res.json.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('is for compliance managers and admins only', async () => {
    for (const who of ['owner', 'privacy', 'viewer', 'auditor', 'demoAuditor'] as const)
      expect((await as[who]('POST', '/api/engagements', body())).status).toBe(403);
  });

  it('opens, lists and is in the audit trail', async () => {
    const res = await as.compliance('POST', '/api/engagements', body());
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      auditorUserId: auditorId,
      auditorName: 'Erin External',
      frameworks: ['soc2'],
      ...PERIOD,
      state: 'active',
      revokedAt: null,
    });
    engagementId = res.json.id;
    expect(await trail('engagement.opened', engagementId)).toBe(1);
    const mine = await as.auditor('GET', '/api/engagements');
    expect(mine.json.items.map((e: { id: string }) => e.id)).toEqual([engagementId]);
    expect((await as.compliance('GET', '/api/engagements')).json.items.map((e: { id: string }) => e.id)).toContain(
      engagementId,
    );
    // One auditor never sees another's engagement.
    expect((await as.demoAuditor('GET', `/api/engagements/${engagementId}`)).status).toBe(404);
    expect((await as.demoAuditor('GET', '/api/engagements')).json.items.map((e: { id: string }) => e.id)).not.toContain(
      engagementId,
    );
  });
});

describe('inside the engagement', () => {
  it('evidence dated within the period, for the frameworks in scope: listed, shown and downloadable', async () => {
    const list = await as.auditor('GET', '/api/evidence?limit=200');
    expect(list.status).toBe(200);
    const ids = list.json.items.map((e: { id: string }) => e.id);
    expect(ids).toContain(ev.inside);
    for (const outside of [ev.before, ev.after, ev.otherFramework]) expect(ids).not.toContain(outside);
    // The whole list is inside: dated within the period and serving a SOC 2 control.
    for (const e of list.json.items) {
      expect(e.evidenceDate >= '2024-12-31T17:00:00.000Z' && e.evidenceDate < '2025-06-30T17:00:00.000Z').toBe(true);
    }
    expect((await as.auditor('GET', `/api/evidence/${ev.inside}`)).status).toBe(200);
    const file = await as.auditor('GET', `/api/evidence/${ev.inside}/download`);
    expect(file.status).toBe(200);
    expect(JSON.parse(file.text).statement).toBe('Reviewed.');
    expect(await trail('evidence.download', ev.inside)).toBeGreaterThanOrEqual(1);
  });

  it('evidence outside the period or the frameworks: 404, item and file', async () => {
    for (const id of [ev.before, ev.after, ev.otherFramework]) {
      expect((await as.auditor('GET', `/api/evidence/${id}`)).status).toBe(404);
      expect((await as.auditor('GET', `/api/evidence/${id}/download`)).status).toBe(404);
    }
  });

  it('reads sweeps, posture, risks, drills and the DSR register', async () => {
    for (const path of ['/api/posture', '/api/risks', '/api/dsr/requests', '/api/dsr/drills'])
      expect([path, (await as.auditor('GET', path)).status]).toEqual([path, 200]);
    expect([200, 404]).toContain((await as.auditor('GET', '/api/sweeps/current')).status); // 404 when no sweep is open yet
  });

  it('never sees a DSR subject’s identity, in the list or the detail', async () => {
    const list = await as.auditor('GET', '/api/dsr/requests?limit=200');
    expect(list.status).toBe(200);
    expect(list.json.total).toBeGreaterThanOrEqual(1);
    expect(list.text).not.toMatch(/kanya|1103700000001|66812345678/i);
    for (const r of list.json.items) {
      const detail = await as.auditor('GET', `/api/dsr/requests/${r.id}`);
      expect(detail.status).toBe(200);
      expect(detail.text).not.toMatch(/kanya|1103700000001|66812345678/i);
      for (const f of ['subject', 'requester', 'changes', 'verificationReference'])
        expect(detail.json[f]).toBeUndefined();
    }
    // The register page too.
    const page = await as.auditor('GET', '/dsr');
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/kanya|1103700000001/i);
  });

  it('asks for a pack of its scope through the API without naming the engagement; outside the scope: 403', async () => {
    const inside = await as.auditor('POST', '/api/packs', { framework: 'soc2', from: PERIOD.from, to: PERIOD.to });
    expect(inside.status).toBe(202);
    const pack = await as.auditor('GET', `/api/packs/${inside.json.id}`);
    expect(pack.json).toMatchObject({ framework: 'soc2', engagementId });
    expect(
      (await as.auditor('POST', '/api/packs', { framework: 'pdpa', from: PERIOD.from, to: PERIOD.to })).status,
    ).toBe(403);
    expect(
      (await as.auditor('POST', '/api/packs', { framework: 'soc2', from: '2024-01-01', to: PERIOD.to })).status,
    ).toBe(403);
  });

  it('writes nothing: 403 everywhere', async () => {
    const writes: [string, string, unknown][] = [
      [
        'POST',
        '/api/evidence',
        {
          kind: 'attestation',
          statement: 'x',
          controls: [soc2Control],
          periodStart: '2025-03-01',
          periodEnd: '2025-03-01',
        },
      ],
      ['POST', '/api/sweeps', {}],
      ['POST', '/api/risks', {}],
      ['POST', '/api/dsr/requests', {}],
      ['POST', '/api/dsr/drills', {}],
      ['PUT', `/api/controls/${soc2Control}/owner`, { userId: null }],
      ['POST', '/api/engagements', { auditorUserId: auditorId, frameworks: ['soc2'], ...PERIOD, expiresAt: FUTURE() }],
      ['POST', `/api/engagements/${engagementId}/revoke`, {}],
      ['POST', `/api/engagement-requests/${engagementId}/answer`, { answer: 'x' }],
    ];
    for (const [method, path, body] of writes)
      expect([method, path, (await as.auditor(method, path, body)).status]).toEqual([method, path, 403]);
  });
});

describe('requests on requirements', () => {
  let requestId: string;

  it('the auditor raises one on a requirement of a framework in scope; others are refused', async () => {
    const bad = await as.auditor('POST', `/api/engagements/${engagementId}/requests`, {
      framework: 'iso27001',
      requirementRef: 'A.5.1',
      body: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].field).toBe('framework');
    const unknown = await as.auditor('POST', `/api/engagements/${engagementId}/requests`, {
      framework: 'soc2',
      requirementRef: 'CC99.9',
      body: 'x',
    });
    expect(unknown.json.errors[0].field).toBe('requirementRef');
    expect(
      (
        await as.demoAuditor('POST', `/api/engagements/${engagementId}/requests`, {
          framework: 'soc2',
          requirementRef: 'CC6.1',
          body: 'x',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await as.compliance('POST', `/api/engagements/${engagementId}/requests`, {
          framework: 'soc2',
          requirementRef: 'CC6.1',
          body: 'x',
        })
      ).status,
    ).toBe(403);
    const res = await as.auditor('POST', `/api/engagements/${engagementId}/requests`, {
      framework: 'soc2',
      requirementRef: 'CC6.1',
      body: 'Please provide the Q1 access review sign-off.',
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      engagementId,
      framework: 'soc2',
      requirementRef: 'CC6.1',
      status: 'open',
      createdByName: 'Erin External',
      answer: null,
    });
    requestId = res.json.id;
    expect(await trail('engagement_request.created', requestId)).toBe(1);
    expect(
      (await as.demoAuditor('GET', '/api/engagement-requests')).json.items.map((r: { id: string }) => r.id),
    ).not.toContain(requestId);
  });

  it('the compliance manager sees the open ones and answers, once', async () => {
    const open = await as.compliance('GET', '/api/engagement-requests?status=open');
    expect(open.json.items.map((r: { id: string }) => r.id)).toContain(requestId);
    expect((await as.owner('POST', `/api/engagement-requests/${requestId}/answer`, { answer: 'x' })).status).toBe(403);
    const answered = await as.compliance('POST', `/api/engagement-requests/${requestId}/answer`, {
      answer: 'Attached as evidence ACC review 2025-Q1.',
    });
    expect(answered.status).toBe(200);
    expect(answered.json).toMatchObject({
      status: 'answered',
      answer: 'Attached as evidence ACC review 2025-Q1.',
      answeredByName: 'Chanida Srisuk',
    });
    expect(
      (await as.compliance('POST', `/api/engagement-requests/${requestId}/answer`, { answer: 'again' })).json.code,
    ).toBe('engagement_request.answered');
    expect(await trail('engagement_request.answered', requestId)).toBe(1);
    const mine = await as.auditor('GET', `/api/engagement-requests?engagement=${engagementId}`);
    expect(mine.json.items[0]).toMatchObject({ id: requestId, status: 'answered' });
  });
});

describe('the end of an engagement', () => {
  it('expiry ends access by itself: the next request reads nothing', async () => {
    expect((await as.auditor('GET', `/api/evidence/${ev.inside}`)).status).toBe(200);
    await db.query(`UPDATE engagements SET expires_at = now() - interval '1 second' WHERE id = $1`, [engagementId]);
    for (const path of [...READS, `/api/evidence/${ev.inside}`, `/api/evidence/${ev.inside}/download`])
      expect([path, (await as.auditor('GET', path)).status]).toEqual([path, 403]);
    const mine = await as.auditor('GET', `/api/engagements/${engagementId}`);
    expect(mine.json.state).toBe('expired');
    expect(
      (
        await as.auditor('POST', `/api/engagements/${engagementId}/requests`, {
          framework: 'soc2',
          requirementRef: 'CC6.1',
          body: 'x',
        })
      ).status,
    ).toBe(403);
  });

  it('revoking ends it at once, and is in the audit trail', async () => {
    const again = await as.compliance('POST', '/api/engagements', {
      auditorUserId: auditorId,
      frameworks: ['soc2'],
      ...PERIOD,
      expiresAt: FUTURE(),
    });
    expect((await as.auditor('GET', `/api/evidence/${ev.inside}`)).status).toBe(200);
    const revoked = await as.compliance('POST', `/api/engagements/${again.json.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.json.state).toBe('revoked');
    expect((await as.compliance('POST', `/api/engagements/${again.json.id}/revoke`)).json.code).toBe(
      'engagement.revoked',
    );
    expect(await trail('engagement.revoked', again.json.id)).toBe(1);
    expect((await as.auditor('GET', `/api/evidence/${ev.inside}`)).status).toBe(403);
  });

  it('an API token follows the same engagement, fetched on every request', async () => {
    const token = (await as.auditor('POST', '/api/tokens', { name: 'audit' })).json.token as string;
    const byToken = client(t.baseUrl, token);
    expect((await byToken('GET', '/api/evidence')).status).toBe(403);
    const e = await as.compliance('POST', '/api/engagements', {
      auditorUserId: auditorId,
      frameworks: ['soc2'],
      ...PERIOD,
      expiresAt: FUTURE(),
    });
    expect((await byToken('GET', `/api/evidence/${ev.inside}`)).status).toBe(200);
    await db.query(`UPDATE engagements SET expires_at = now() - interval '1 second' WHERE id = $1`, [e.json.id]);
    expect((await byToken('GET', `/api/evidence/${ev.inside}`)).status).toBe(403);
  });
});

describe('demo data', () => {
  it('the demo auditor holds a SOC 2 engagement for the current year', async () => {
    const year = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 4);
    const mine = await as.demoAuditor('GET', '/api/engagements?active=1');
    expect(mine.json.items).toEqual([
      expect.objectContaining({
        frameworks: ['soc2'],
        from: `${year}-01-01`,
        to: `${year}-12-31`,
        state: 'active',
        createdByUserId: null,
      }),
    ]);
  });
});
