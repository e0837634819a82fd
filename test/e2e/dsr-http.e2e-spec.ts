// Data subject requests over HTTP as the demo personas, executed against the real demo patient platform
// (a PostgreSQL database next to the test's own): intake with identity encrypted and visible to the privacy
// officer only, verification before execution, export package and its expiring link, erasure with grace
// period, legal holds, residue check and receipt as evidence, refusals in the ROPA, drills, bad maps.
import { DataSource } from 'typeorm';
import { DsrClockService } from '../../src/dsr/dsr-clocks.service';
import { DsrErasureService } from '../../src/dsr/dsr-erasure.service';
import { DsrExportService } from '../../src/dsr/dsr-export.service';
import { startTestApp, TestApp } from '../support/app';
import { FakeDsrService } from '../support/dsr-http-service';
import { client, DEMO, login } from '../support/auth';
import { openDemoPlatform, unzip, type DemoPatient as Patient, type DemoPlatform } from '../support/demo-platform';
import { formatLocalTime } from '../../src/common/time/calendar';

let t: TestApp;
let demo: DemoPlatform;
let platform: DemoPlatform['client'];
let platformUrl: string;
const patient = (offset: number) => demo.patient(offset);
/** Pieces of a request's encrypted export package stored in PostgreSQL. */
async function storedPieces(requestId: string): Promise<number> {
  const rows: { n: number }[] = await t.app
    .get(DataSource)
    .query('SELECT count(*)::int AS n FROM dsr_export_chunks WHERE request_id = $1', [requestId]);
  return rows[0].n;
}
let as: Record<'privacy' | 'compliance' | 'owner' | 'viewer' | 'auditor' | 'admin', ReturnType<typeof client>>;

/** Objection and erasure take a ground (PDPA s. 32 para 1, s. 33 para 1): these by default. */
const DEFAULT_GROUND: Record<string, string> = {
  erasure: 'no_longer_necessary',
  objection: 'public_task_or_legitimate_interest',
};

const request = (p: Patient, right = 'erasure', extra: Record<string, unknown> = {}) => ({
  right,
  ...(DEFAULT_GROUND[right] ? { ground: DEFAULT_GROUND[right] } : {}),
  channel: 'email',
  subject: { name: p.first_name, email: p.email, phone: p.phone, nationalId: p.national_id },
  ...extra,
});

async function verified(body: Record<string, unknown>): Promise<string> {
  const created = await as.privacy('POST', '/api/dsr/requests', body);
  expect(created.status).toBe(201);
  const v = await as.privacy('POST', `/api/dsr/requests/${created.json.id}/verify-identity`, {
    method: 'id_document',
    reference: 'ID card checked at the counter, ticket 4711',
  });
  expect(v.status).toBe(200);
  return created.json.id;
}

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', DSR_DEMO_PLATFORM: '1' } });
  as = {} as typeof as;
  for (const who of ['privacy', 'compliance', 'owner', 'viewer', 'auditor', 'admin'] as const)
    as[who] = client(t.baseUrl, await login(t.baseUrl, DEMO[who]));
  demo = await openDemoPlatform(t);
  platform = demo.client;
  platformUrl = demo.url;
  const sys = await as.privacy('GET', '/api/dsr/systems');
  expect(sys.json.map((s: { key: string }) => s.key)).toEqual(['patient-platform']);
}, 120_000);
afterAll(async () => {
  await demo?.close();
  await t?.close();
});

describe('intake and who sees what', () => {
  it('stores the request with both clocks; only the privacy officer and admin see the identity', async () => {
    const p = await patient(0);
    const created = await as.privacy(
      'POST',
      '/api/dsr/requests',
      request(p, 'access', { receivedAt: '2026-11-20T03:00:00.000Z' }),
    );
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      right: 'access',
      section: 'PDPA s. 30',
      status: 'received',
      subject: { email: p.email, nationalId: p.national_id },
    });
    expect(created.json.reference).toMatch(/^DSR-2026-\d{5}$/);
    expect(created.json.clocks.internal.dueAt).toBe('2026-11-27T03:00:00.000Z');
    expect(created.json.clocks.statutory.dueAt).toBe('2026-12-20T03:00:00.000Z');

    const seenByCompliance = await as.compliance('GET', `/api/dsr/requests/${created.json.id}`);
    expect(seenByCompliance.status).toBe(200);
    expect(seenByCompliance.json.reference).toBe(created.json.reference);
    expect(seenByCompliance.text).not.toContain(p.email);
    expect(seenByCompliance.json.subject).toBeUndefined();
    const list = await as.compliance('GET', '/api/dsr/requests?open=true');
    expect(list.json.items.map((r: { id: string }) => r.id)).toContain(created.json.id);
    expect(list.text).not.toContain(p.email);
    expect((await as.admin('GET', `/api/dsr/requests/${created.json.id}`)).json.subject.email).toBe(p.email);

    for (const who of ['owner', 'viewer'] as const)
      expect((await as[who]('GET', `/api/dsr/requests/${created.json.id}`)).status).toBe(403);
    // The demo auditor (inside a SOC 2 engagement) reads the register, never the identity.
    const seenByAuditor = await as.auditor('GET', `/api/dsr/requests/${created.json.id}`);
    expect(seenByAuditor.status).toBe(200);
    expect(seenByAuditor.text).not.toContain(p.email);
    expect(seenByAuditor.json.subject).toBeUndefined();
    expect(
      (
        await as.compliance('POST', `/api/dsr/requests/${created.json.id}/verify-identity`, {
          method: 'id_document',
          reference: 'x',
        })
      ).status,
    ).toBe(403);

    // Encrypted at rest: the e-mail address is nowhere in the row.
    const raw = await t.app
      .get(DataSource)
      .query(`SELECT row_to_json(r)::text AS row FROM dsr_requests r WHERE id = $1`, [created.json.id]);
    expect(raw[0].row).not.toContain(p.email);
    expect(raw[0].row).not.toContain(p.national_id);
  });

  it('lists open requests first, by the soonest of their two deadlines', async () => {
    const p = await patient(5);
    const now = Date.now();
    // Access received 3 days ago: internal deadline in 4 days. Erasure received 6 days ago: internal deadline in 1 day.
    // A direct-marketing objection received an hour ago is separated on arrival: its statutory clock no longer
    // sorts it first (it did when an objection was due at receipt), its internal deadline (in ~7 days) does.
    const access = await as.privacy(
      'POST',
      '/api/dsr/requests',
      request(p, 'access', { receivedAt: new Date(now - 3 * 86_400_000).toISOString() }),
    );
    const erasure = await as.privacy(
      'POST',
      '/api/dsr/requests',
      request(p, 'erasure', { receivedAt: new Date(now - 6 * 86_400_000).toISOString() }),
    );
    const objection = await as.privacy(
      'POST',
      '/api/dsr/requests',
      request(p, 'objection', { ground: 'direct_marketing', receivedAt: new Date(now - 3_600_000).toISOString() }),
    );
    expect(objection.json.clocks.statutory.state).toBe('met');
    const closed = await as.privacy(
      'POST',
      '/api/dsr/requests',
      request(p, 'access', { receivedAt: new Date(now - 10 * 86_400_000).toISOString() }),
    );
    await as.privacy('POST', `/api/dsr/requests/${closed.json.id}/reject`, {
      reason: 'Duplicate of an earlier request',
    });
    const items = (await as.privacy('GET', '/api/dsr/requests?limit=200')).json.items as {
      id: string;
      status: string;
    }[];
    const at = (id: string) => items.findIndex((r) => r.id === id);
    expect(at(erasure.json.id)).toBeLessThan(at(access.json.id));
    expect(at(access.json.id)).toBeLessThan(at(objection.json.id));
    expect(at(objection.json.id)).toBeLessThan(at(closed.json.id));
    // Separated, so not overdue: the overdue filter leaves it out.
    const overdue = (await as.privacy('GET', '/api/dsr/requests?overdue=true&limit=200')).json.items as {
      id: string;
    }[];
    expect(overdue.map((r) => r.id)).not.toContain(objection.json.id);
    const firstClosed = items.findIndex((r) => r.status === 'completed' || r.status === 'rejected');
    expect(items.slice(firstClosed).every((r) => r.status === 'completed' || r.status === 'rejected')).toBe(true);
  });

  it('refuses bad input naming the field', async () => {
    const res = await as.privacy('POST', '/api/dsr/requests', {
      right: 'forget-me',
      channel: 'email',
      subject: { name: 'x' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json.errors.map((e: { field: string }) => e.field)).toContain('right');
    const noKey = await as.privacy('POST', '/api/dsr/requests', {
      right: 'access',
      channel: 'email',
      subject: { name: 'Somchai' },
    });
    expect(noKey.status).toBe(400);
    expect(noKey.json.errors).toEqual([
      { field: 'subject', message: expect.stringContaining('at least one of email, phone or nationalId') },
    ]);
    const badId = await as.privacy('POST', '/api/dsr/requests', {
      right: 'access',
      channel: 'email',
      subject: { name: 'S', nationalId: '12345' },
    });
    expect(badId.json.errors).toEqual([expect.objectContaining({ field: 'subject.nationalId' })]);
    expect((await as.privacy('GET', '/api/dsr/requests/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('executes nothing before identity is verified', async () => {
    const created = await as.privacy('POST', '/api/dsr/requests', request(await patient(1), 'access'));
    const res = await as.privacy('POST', `/api/dsr/requests/${created.json.id}/export`);
    expect([res.status, res.json.code]).toEqual([422, 'dsr.identity_unverified']);
    const erase = await as.privacy('POST', `/api/dsr/requests/${created.json.id}/erase`, { graceDays: 0 });
    expect([erase.status, erase.json.code]).toEqual([422, 'dsr.identity_unverified']);
  });
});

describe('export', () => {
  it('packages exactly the subject’s rows with a manifest, behind a link only the privacy officer can use', async () => {
    const p = await patient(2);
    const other = await patient(3);
    const id = await verified(request(p, 'access'));
    const res = await as.privacy('POST', `/api/dsr/requests/${id}/export`);
    expect(res.status).toBe(200);
    expect(res.json.request).toMatchObject({
      status: 'in_progress',
      lastError: null,
      exportSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(res.json.link.url).toMatch(/^\/api\/dsr\/exports\/[A-Za-z0-9_-]{43}$/);

    expect((await as.compliance('GET', res.json.link.url)).status).toBe(403);
    const download = await fetch(t.baseUrl + res.json.link.url, {
      headers: { cookie: await login(t.baseUrl, DEMO.privacy) },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    const zip = Buffer.from(await download.arrayBuffer());
    const files = await unzip(zip);
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        'manifest.json',
        'subject.json',
        'systems/patient-platform/patients.json',
        'systems/patient-platform/patients.csv',
        'systems/patient-platform/appointments.json',
      ]),
    );
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    for (const f of manifest.files) {
      const { createHash } = await import('node:crypto');
      expect(createHash('sha256').update(files.get(f.path)!).digest('hex')).toBe(f.sha256);
    }
    const patients = JSON.parse(files.get('systems/patient-platform/patients.json')!.toString());
    const rows = Array.isArray(patients) ? patients : patients.rows;
    expect(rows.map((r: { id: unknown }) => String(r.id))).toEqual([String(p.id)]);
    const everything = [...files.values()].map((b) => b.toString()).join('\n');
    expect(everything).not.toContain(other.email);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(zip).digest('hex')).toBe(res.json.request.exportSha256);

    const trail = await as.admin('GET', `/api/audit-trail?subjectId=${id}`);
    expect(trail.json.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['dsr.received', 'dsr.identity_verified', 'dsr.exported', 'dsr.export_downloaded']),
    );

    // Links expire.
    const service = t.app.get(DsrExportService);
    const privacy = (await as.privacy('GET', '/api/me')).json;
    const token = res.json.link.url.split('/').pop();
    await expect(
      service.download(
        { kind: 'user', via: 'session', ...privacy, departmentKey: 'privacy' },
        token,
        new Date(Date.now() + 73 * 3_600_000),
      ),
    ).rejects.toMatchObject({ code: 'dsr.link_expired' });

    // Closing needs a note; then the request is completed.
    const done = await as.privacy('POST', `/api/dsr/requests/${id}/complete`, {
      note: 'Package sent by registered e-mail',
    });
    expect(done.json).toMatchObject({ status: 'completed', clocks: { internal: { state: 'met' } } });
  });

  it('hostile identity values are parameters, never SQL', async () => {
    for (const email of [
      "x';DROP/**/TABLE/**/patients;--@evil.example",
      "o'hara'or'1'='1@evil.example",
      "สมชาย'--@ตัวอย่าง.ไทย",
      `${'a'.repeat(240)}'@b.c`,
    ]) {
      const id = await verified({
        right: 'access',
        channel: 'web',
        subject: { name: "Robert'); DROP TABLE patients; --", email },
      });
      const res = await as.privacy('POST', `/api/dsr/requests/${id}/export`);
      expect(res.status).toBe(200);
      expect(res.json.request).toMatchObject({
        lastError: null,
        actions: [
          expect.objectContaining({
            status: 'done',
            summary: { tables: expect.arrayContaining([{ table: 'patients', rows: 0 }]) },
          }),
        ],
      });
    }
    expect((await platform.query('SELECT count(*)::int AS n FROM patients')).rows[0].n).toBeGreaterThan(1000);
  });
});

describe('erasure', () => {
  it('erases now, checks residue, and closes with a receipt that is evidence', async () => {
    const p = await patient(10);
    const id = await verified(request(p));
    const res = await as.privacy('POST', `/api/dsr/requests/${id}/erase`, { graceDays: 0 });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: 'completed',
      lastError: null,
      erasedAt: expect.any(String),
      receiptEvidenceId: expect.any(String),
    });
    const receipt = res.json.receipt;
    expect(receipt.backups).toMatchObject({ retentionDays: 35, withinStatutoryPeriod: true });
    const tables = Object.fromEntries(receipt.systems[0].tables.map((x: { table: string }) => [x.table, x]));
    expect(tables.patients).toMatchObject({ rule: 'anonymise', method: 'pseudonymise', rows: 1 });
    expect(tables.newsletter_subscriptions.rule).toBe('delete');
    expect(tables.encounters).toMatchObject({
      rule: 'retain',
      basis: expect.any(String),
      retention: expect.any(String),
    });
    expect(JSON.stringify(receipt)).not.toContain(p.email);

    const row = (
      await platform.query('SELECT email, phone, national_id, first_name FROM patients WHERE id = $1', [p.id])
    ).rows[0];
    expect(row).toMatchObject({ email: null, phone: null, national_id: null, first_name: '[erased]' });
    expect(
      (await platform.query('SELECT count(*)::int AS n FROM appointments WHERE patient_id = $1', [p.id])).rows[0].n,
    ).toBe(0);

    const evidence = await as.compliance('GET', `/api/evidence/${res.json.receiptEvidenceId}`);
    expect(evidence.status).toBe(200);
    expect(evidence.json.controls).toEqual(expect.arrayContaining(['PRV-01']));
  });

  it('keeps no copy of an erased subject: an export package made before erasure is deleted with it', async () => {
    const p = await patient(13);
    const id = await verified(request(p));
    const exported = await as.privacy('POST', `/api/dsr/requests/${id}/export`);
    expect(exported.json.request.exportAvailable).toBe(true);
    const stored = () => storedPieces(id);
    expect(await stored()).toBeGreaterThan(0);
    const erased = await as.privacy('POST', `/api/dsr/requests/${id}/erase`, { graceDays: 0 });
    expect(erased.json).toMatchObject({
      status: 'completed',
      exportAvailable: false,
      exportSha256: exported.json.request.exportSha256,
    });
    expect(await stored()).toBe(0);
    const link = await as.privacy('POST', `/api/dsr/requests/${id}/export-link`);
    expect([link.status, link.json.code]).toEqual([422, 'dsr.package_removed']);
    const old = await as.privacy('GET', exported.json.link.url);
    expect([old.status, old.json.code]).toEqual([422, 'dsr.package_removed']);
    const trail = await as.admin('GET', `/api/audit-trail?subjectId=${id}`);
    expect(trail.json.items.map((e: { action: string }) => e.action)).toContain('dsr.export_removed');
  });

  it('deletes export packages after DSR_EXPORT_RETENTION_DAYS (the daily job)', async () => {
    const id = await verified(request(await patient(14), 'access'));
    await as.privacy('POST', `/api/dsr/requests/${id}/export`);
    const service = t.app.get(DsrExportService);
    expect(await service.purgeExportPackages(new Date(Date.now() + 29 * 86_400_000))).toBe(0);
    expect(await service.purgeExportPackages(new Date(Date.now() + 31 * 86_400_000))).toBeGreaterThanOrEqual(1);
    expect(await storedPieces(id)).toBe(0);
    expect((await as.privacy('GET', `/api/dsr/requests/${id}`)).json).toMatchObject({
      exportAvailable: false,
      exportedAt: expect.any(String),
    });
    // Closing still works: the package was made (and its hash kept).
    expect(
      (await as.privacy('POST', `/api/dsr/requests/${id}/complete`, { note: 'Sent by registered e-mail' })).json.status,
    ).toBe('completed');
  });

  it('waits for the grace period, can be cancelled, and a legal hold blocks it', async () => {
    const p = await patient(11);
    const id = await verified(request(p));
    const scheduled = await as.privacy('POST', `/api/dsr/requests/${id}/erase`, {});
    expect(scheduled.json).toMatchObject({ status: 'in_progress', erasedAt: null });
    expect(new Date(scheduled.json.erasureScheduledFor).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(await t.app.get(DsrErasureService).runDueErasures(new Date())).toBe(0);
    expect((await platform.query('SELECT email FROM patients WHERE id = $1', [p.id])).rows[0].email).toBe(p.email);
    expect((await as.privacy('POST', `/api/dsr/requests/${id}/erase/cancel`)).json.erasureScheduledFor).toBeNull();

    const held = await as.privacy('POST', `/api/dsr/requests/${id}/holds`, {
      reason: 'Litigation hold: case 123/2569',
    });
    expect(held.json.legalHolds).toHaveLength(1);
    const blocked = await as.privacy('POST', `/api/dsr/requests/${id}/erase`, { graceDays: 0 });
    expect([blocked.status, blocked.json.code]).toEqual([422, 'dsr.legal_hold']);
    expect(blocked.json.detail).toContain('case 123/2569');
    expect((await platform.query('SELECT email FROM patients WHERE id = $1', [p.id])).rows[0].email).toBe(p.email);
    const trail = await as.admin('GET', `/api/audit-trail?subjectId=${id}`);
    expect(trail.json.items.map((e: { action: string }) => e.action)).toContain('dsr.erasure_blocked');

    await as.privacy('POST', `/api/dsr/requests/${id}/holds/${held.json.legalHolds[0].id}/release`);
    const erased = await as.privacy('POST', `/api/dsr/requests/${id}/erase`, { graceDays: 0 });
    expect(erased.json.status).toBe('completed');
  });

  it('a scheduled erasure runs when its time has come (the job)', async () => {
    const p = await patient(12);
    const id = await verified(request(p));
    await as.privacy('POST', `/api/dsr/requests/${id}/erase`, { graceDays: 1 });
    expect(await t.app.get(DsrErasureService).runDueErasures(new Date(Date.now() + 2 * 86_400_000))).toBe(1);
    expect((await as.privacy('GET', `/api/dsr/requests/${id}`)).json.status).toBe('completed');
  });
});

describe('refusals and other rights', () => {
  it('a refused access request is recorded in the ROPA; a refused erasure is not', async () => {
    const access = await verified(request(await patient(20), 'access'));
    const rejected = await as.privacy('POST', `/api/dsr/requests/${access}/reject`, {
      reason: 'Manifestly unfounded: repeated request',
    });
    expect(rejected.json).toMatchObject({
      status: 'rejected',
      rejectionReason: 'Manifestly unfounded: repeated request',
    });
    const snapshot = await t.app
      .get(DsrClockService)
      .registerSnapshot(new Date(Date.now() - 86_400_000), new Date(Date.now() + 86_400_000));
    expect((snapshot.refusalsRecorded as { requestId: string }[]).map((r) => r.requestId)).toContain(access);
    expect(JSON.stringify(snapshot)).not.toMatch(/@demo\.patient|@example/);
    const again = await as.privacy('POST', `/api/dsr/requests/${access}/export`);
    expect([again.status, again.json.code]).toEqual([422, 'dsr.closed']);
  });

  it('restriction sets the map’s flag; rectification sets the corrected values', async () => {
    const p = await patient(21);
    const restrict = await verified(request(p, 'restriction'));
    const r = await as.privacy('POST', `/api/dsr/requests/${restrict}/execute`);
    expect(r.json).toMatchObject({ status: 'completed', lastError: null });
    expect(
      (await platform.query('SELECT processing_restricted FROM patients WHERE id = $1', [p.id])).rows[0]
        .processing_restricted,
    ).toBe(true);

    const rect = await verified(request(p, 'rectification', { changes: { first_name: 'Somsak' } }));
    expect((await as.privacy('POST', `/api/dsr/requests/${rect}/execute`)).json.status).toBe('completed');
    expect((await platform.query('SELECT first_name FROM patients WHERE id = $1', [p.id])).rows[0].first_name).toBe(
      'Somsak',
    );
  });
});

describe('drills and the data map', () => {
  it('a drill passes end to end and its report (JSON + PDF) is evidence of PRV-03', async () => {
    const res = await as.privacy('POST', '/api/dsr/drills');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ passed: true, exportComplete: true, residue: 0, failures: [] });
    const sys = res.json.systems[0];
    expect(sys).toMatchObject({ system: 'patient-platform', status: 'drilled', seeded: 7, missing: [], residue: 0 });
    expect(sys.retained.map((r: { table: string }) => r.table).sort()).toEqual([
      'consents',
      'encounters',
      'lab_results',
    ]);
    const evidence = await as.compliance('GET', `/api/evidence/${res.json.evidenceId}`);
    expect(evidence.json.controls).toEqual(['PRV-03']);
    expect(evidence.json.files.map((f: { mediaType: string }) => f.mediaType)).toEqual([
      'application/json',
      'application/pdf',
    ]);
    // The synthetic rows are gone, retained ones too.
    expect(
      (await platform.query(`SELECT count(*)::int AS n FROM newsletter_subscriptions WHERE email LIKE 'drill-%'`))
        .rows[0].n,
    ).toBe(0);
    expect(
      (await platform.query(`SELECT count(*)::int AS n FROM encounters WHERE clinician = 'Dr. Drill'`)).rows[0].n,
    ).toBe(0);
    const history = await as.compliance('GET', '/api/dsr/drills');
    expect(history.json.items[0]).toMatchObject({ id: res.json.id, passed: true });
    // Drill requests stay out of the register unless asked for.
    expect((await as.privacy('GET', '/api/dsr/requests')).json.items.some((r: { isDrill: boolean }) => r.isDrill)).toBe(
      false,
    );
  });

  it('a map that misses a table makes the drill fail and name the table', async () => {
    const current = (await as.privacy('GET', '/api/dsr/systems/patient-platform')).json.definition;
    const incomplete = {
      ...current,
      postgres: {
        ...current.postgres,
        tables: current.postgres.tables.filter((x: { table: string }) => x.table !== 'newsletter_subscriptions'),
      },
    };
    // The definition as GET shows it: the URL is the "(stored encrypted)" marker, which keeps the stored one.
    expect(incomplete.postgres.url).toBe('(stored encrypted)');
    const put = await as.privacy('PUT', '/api/dsr/systems/patient-platform', incomplete);
    expect(put.status).toBe(200);
    try {
      const res = await as.privacy('POST', '/api/dsr/drills');
      expect(res.json.passed).toBe(false);
      expect(res.json.failures.join('\n')).toContain('newsletter_subscriptions');
    } finally {
      expect((await as.privacy('PUT', '/api/dsr/systems/patient-platform', current)).status).toBe(200);
    }
  });

  it('rejects a map naming a column that does not exist, naming the field; secrets are never shown', async () => {
    const bad = {
      key: 'broken-platform',
      name: 'Broken',
      kind: 'postgres',
      owner: { department: 'engineering' },
      postgres: {
        url: platformUrl,
        tables: [{ table: 'patients', find: { email: 'e_mail' }, export: ['id'], erase: { rule: 'delete' } }],
      },
    };
    const res = await as.privacy('POST', '/api/dsr/systems', bad);
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([expect.objectContaining({ field: 'postgres.tables[0].find.email' })]);
    const shown = await as.privacy('GET', '/api/dsr/systems/patient-platform');
    expect(shown.text).not.toContain(platformUrl);
    expect((await as.owner('POST', '/api/dsr/systems', bad)).status).toBe(403);
    const yaml = await as.privacy('GET', '/api/dsr/systems/export');
    expect(yaml.text).toContain('key: patient-platform');
    expect(yaml.text).not.toContain('postgres://');
  });
});

describe('an HTTP service, manual systems, failures and resumption', () => {
  let svc: FakeDsrService;
  beforeAll(async () => {
    svc = await new FakeDsrService().start();
    const res = await as.privacy('POST', '/api/dsr/systems', svc.definition());
    expect(res.status).toBe(201);
    expect(res.text).not.toContain(svc.token);
  });
  afterAll(async () => {
    await as.privacy('POST', '/api/dsr/systems/support-desk/deactivate');
    await as.privacy('POST', '/api/dsr/systems/paper-archive/deactivate');
    await svc?.stop();
  });

  it('a failure midway keeps what was done, shows the error, and the next run resumes', async () => {
    const p = await patient(30);
    svc.add('tickets', { email: p.email, phone: null, text: 'Cannot log in' });
    svc.add('tickets', { email: 'someone.else@example.com', phone: null, text: 'Not theirs' });
    const id = await verified(request(p, 'access'));
    svc.failNext = 10;
    const failed = await as.privacy('POST', `/api/dsr/requests/${id}/export`);
    expect(failed.status).toBe(200);
    expect(failed.json.link).toBeNull();
    expect(failed.json.request.lastError).toMatch(/support-desk/);
    const byKey = (r: { actions: { systemKey: string; kind: string; status: string; attempts: number }[] }) =>
      Object.fromEntries(r.actions.map((a) => [`${a.systemKey}:${a.kind}`, a]));
    expect(byKey(failed.json.request)['patient-platform:export']).toMatchObject({ status: 'done', attempts: 1 });
    expect(byKey(failed.json.request)['support-desk:export']).toMatchObject({ status: 'failed' });
    expect(failed.json.request.exportSha256).toBeNull();

    svc.failNext = 0;
    const resumed = await as.privacy('POST', `/api/dsr/requests/${id}/export`);
    expect(resumed.json.request.lastError).toBeNull();
    expect(byKey(resumed.json.request)['patient-platform:export']).toMatchObject({ status: 'done', attempts: 1 });
    expect(byKey(resumed.json.request)['support-desk:export']).toMatchObject({ status: 'done' });
    const zip = Buffer.from(
      await (
        await fetch(t.baseUrl + resumed.json.link.url, { headers: { cookie: await login(t.baseUrl, DEMO.privacy) } })
      ).arrayBuffer(),
    );
    const files = await unzip(zip);
    const tickets = files.get('systems/support-desk/support_tickets.json')!.toString();
    expect(tickets).toContain('Cannot log in');
    expect(tickets).not.toContain('Not theirs');
  });

  it('a drill covers the HTTP service too; a manual system becomes a task its owner completes', async () => {
    const drill = await as.privacy('POST', '/api/dsr/drills');
    expect(drill.json).toMatchObject({ passed: true, failures: [] });
    expect(drill.json.systems.find((s: { system: string }) => s.system === 'support-desk')).toMatchObject({
      status: 'drilled',
      seeded: 2,
      missing: [],
      residue: 0,
      retained: [{ table: 'invoices', rows: 1 }],
    });
    expect(svc.tickets.concat(svc.invoices).filter((r) => r.text.startsWith('drill'))).toEqual([]);

    const manual = await as.privacy('POST', '/api/dsr/systems', {
      key: 'paper-archive',
      name: 'Paper archive',
      kind: 'manual',
      owner: { department: 'engineering' },
      manual: { checklist: ['Shred the paper file', 'Record the shredding certificate number'] },
    });
    expect(manual.status).toBe(201);
    const p = await patient(31);
    const id = await verified(request(p));
    const erased = await as.privacy('POST', `/api/dsr/requests/${id}/erase`, { graceDays: 0 });
    expect(erased.json).toMatchObject({ status: 'in_progress', erasedAt: expect.any(String) });
    expect(erased.json.receipt.manualPending).toEqual(['paper-archive']);

    const tasks = await as.owner('GET', '/api/dsr/tasks');
    const task = tasks.json.items.find((x: { requestId: string }) => x.requestId === id);
    expect(task).toMatchObject({
      systemKey: 'paper-archive',
      kind: 'manual-erase',
      status: 'awaiting_manual',
      reference: erased.json.reference,
    });
    expect(JSON.stringify(tasks.json)).not.toContain(p.email);
    const owner2 = client(t.baseUrl, await login(t.baseUrl, DEMO.owner2));
    expect(
      (await owner2('POST', `/api/dsr/tasks/${task.id}/complete`, { note: 'done', checklist: [true, true] })).status,
    ).toBe(404);
    const unticked = await as.owner('POST', `/api/dsr/tasks/${task.id}/complete`, {
      note: 'done',
      checklist: [true, false],
    });
    expect(unticked.status).toBe(400);
    const done = await as.owner('POST', `/api/dsr/tasks/${task.id}/complete`, {
      note: 'Shredded, certificate 7781',
      checklist: [true, true],
    });
    expect(done.json.status).toBe('done');
    expect((await as.privacy('GET', `/api/dsr/requests/${id}`)).json.status).toBe('completed');
  });
});

describe('clocks: reminders and escalations, and the data map as YAML', () => {
  it('reminds the privacy officer before a deadline and escalates to compliance managers once it is missed; each alert once', async () => {
    const p = await patient(40);
    const now = new Date();
    const soon = await as.privacy(
      'POST',
      '/api/dsr/requests',
      request(p, 'rectification', {
        changes: { first_name: 'X' },
        receivedAt: new Date(now.getTime() - 6 * 86_400_000).toISOString(),
      }),
    );
    const late = await as.privacy(
      'POST',
      '/api/dsr/requests',
      request(p, 'access', { receivedAt: new Date(now.getTime() - 29 * 86_400_000).toISOString() }),
    );
    const service = t.app.get(DsrClockService);
    expect(await service.remindClocks(now)).toBeGreaterThanOrEqual(3);
    expect(await service.remindClocks(now)).toBe(0);
    const mine = (await as.privacy('GET', '/api/notifications?limit=200')).json.items as {
      kind: string;
      subject: string;
      body: string;
    }[];
    expect(mine.filter((n) => n.subject.startsWith(soon.json.reference)).map((n) => n.kind)).toEqual(['dsr.reminder']);
    // The deadline as people read it, in the compliance zone with the zone named; no raw UTC instant.
    const reminder = mine.find((n) => n.subject.startsWith(soon.json.reference))!;
    expect(reminder.body).toBe(
      `${soon.json.reference} is ${String(soon.json.status).replace('_', ' ')}. The internal 7-day SLA is ${formatLocalTime(soon.json.clocks.internal.dueAt)}.`,
    );
    expect(reminder.body).toMatch(/\(Asia\/Bangkok\)\.$/);
    expect(reminder.body).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(
      mine
        .filter((n) => n.subject.startsWith(late.json.reference))
        .map((n) => n.kind)
        .sort(),
    ).toEqual(['dsr.escalation', 'dsr.escalation']);
    const managers = (await as.compliance('GET', '/api/notifications?limit=200')).json.items as {
      kind: string;
      subject: string;
      body: string;
    }[];
    expect(
      managers
        .filter((n) => n.subject.startsWith(late.json.reference))
        .map((n) => n.subject)
        .join('\n'),
    ).toMatch(/statutory deadline \(PDPA s\. 30\)/);
    expect(managers.some((n) => n.subject.startsWith(soon.json.reference))).toBe(false);
    expect(JSON.stringify([...mine, ...managers])).not.toContain(p.email);
  });

  it('imports YAML all or nothing, naming the document and field of each problem', async () => {
    const good =
      'key: hr-files\nname: HR paper files\nkind: manual\nowner: { department: engineering }\nmanual:\n  checklist: [Find the folder, Shred it]\n';
    const bad =
      'key: crm\nname: CRM\nkind: postgres\nowner: { department: engineering }\npostgres:\n  url: postgres://x@127.0.0.1:1/crm\n  tables: []\n';
    const res = await fetch(`${t.baseUrl}/api/dsr/systems/import`, {
      method: 'POST',
      headers: { cookie: await login(t.baseUrl, DEMO.privacy), 'content-type': 'application/yaml' },
      body: `${good}---\n${bad}`,
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual([expect.stringMatching(/^documents\[1\]\.postgres\.tables/)]);
    expect((await as.privacy('GET', '/api/dsr/systems/hr-files')).status).toBe(404);
    const ok = await fetch(`${t.baseUrl}/api/dsr/systems/import`, {
      method: 'POST',
      headers: { cookie: await login(t.baseUrl, DEMO.privacy), 'content-type': 'application/yaml' },
      body: good,
    });
    expect(ok.status).toBe(200);
    expect((await as.privacy('GET', '/api/dsr/systems/hr-files')).json).toMatchObject({
      kind: 'manual',
      definition: { manual: { checklist: ['Find the folder', 'Shred it'] } },
    });
    await as.privacy('POST', '/api/dsr/systems/hr-files/deactivate');
  });
});
