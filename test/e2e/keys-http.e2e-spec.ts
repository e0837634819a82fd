// The keys and credentials register (issue 18) over real HTTP: an engineering owner registers keys, CI
// records a rotation with the owner's API token (source ci) and the owner attests one signed in (source
// owner_attestation); the rotation clock flips; refusals name the field; each role sees what it may (rows
// outside its scope are 404); reminders and escalations go out once only per due moment; the weekly sweep
// stores the register's snapshot as evidence of ACC-04.
import { DataSource } from 'typeorm';
import { KeyClocksService } from '../../src/keys/key-clocks.service';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { randomBytes } from 'node:crypto';
import { postForm } from '../support/forms';

type Who = 'admin' | 'compliance' | 'owner' | 'owner2' | 'auditor' | 'viewer';
let t: TestApp;
let as: Record<Who, ReturnType<typeof client>>;
let ci: ReturnType<typeof client>;
const DAY = 86_400_000;
/** A form key as a page gives one (a fresh random value per render). */
const newKey = () => randomBytes(16).toString('base64url');

function expectProblem(res: { status: number; headers: Headers; json: any }, status: number, field?: string) {
  expect([res.status, res.headers.get('content-type')?.split(';')[0]]).toEqual([status, 'application/problem+json']);
  if (field) expect(res.json.errors.map((e: { field: string }) => e.field)).toContain(field);
}

const vendorKey = {
  name: 'e2e-vendor-api-key',
  system: 'Vendor API',
  kind: 'third_party',
  ownerEmail: DEMO.owner,
};

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  as = {} as typeof as;
  for (const who of ['admin', 'compliance', 'owner', 'owner2', 'auditor', 'viewer'] as const)
    as[who] = client(t.baseUrl, await login(t.baseUrl, DEMO[who]));
  ci = client(t.baseUrl, (await as.owner('POST', '/api/tokens', { name: 'ci', expiresInDays: 30 })).json.token);
}, 120_000);
afterAll(async () => t?.close());

it('registers a key of the owner’s department with the kind’s default interval, audited', async () => {
  const res = await as.owner('POST', '/api/keys', vendorKey);
  expect(res.status).toBe(201);
  expect(res.json).toMatchObject({
    name: 'e2e-vendor-api-key',
    kind: 'third_party',
    intervalDays: 30,
    ownInterval: false,
    department: 'engineering',
    ownerName: 'Somchai Jaidee',
    lastRotatedAt: null,
    state: 'ok',
    rotations: [],
  });
  const own = await as.compliance('POST', '/api/keys', {
    name: 'e2e-db-service-role',
    system: 'Database',
    kind: 'service_role',
    intervalDays: 60,
    ownerEmail: DEMO.owner,
  });
  expect(own.json).toMatchObject({ intervalDays: 60, ownInterval: true, department: 'engineering' });
  const trail = await as.compliance('GET', '/api/audit-trail?action=key.register&limit=50');
  expect(trail.json.items.map((e: any) => e.data.name)).toEqual(
    expect.arrayContaining(['e2e-vendor-api-key', 'e2e-db-service-role']),
  );
});

it('refuses bad registrations naming the field', async () => {
  expectProblem(await as.owner('POST', '/api/keys', { ...vendorKey, name: 'Not A Slug' }), 400, 'name');
  expectProblem(await as.owner('POST', '/api/keys', { ...vendorKey, name: 'x-1', kind: 'forever' }), 400, 'kind');
  expectProblem(
    await as.owner('POST', '/api/keys', { ...vendorKey, name: 'x-2', intervalDays: 0 }),
    400,
    'intervalDays',
  );
  expectProblem(
    await as.owner('POST', '/api/keys', { ...vendorKey, name: 'x-3', ownerEmail: DEMO.viewer }),
    400,
    'ownerEmail',
  );
  expectProblem(
    await as.owner('POST', '/api/keys', { ...vendorKey, name: 'x-4', department: 'nowhere' }),
    400,
    'department',
  );
  expectProblem(await as.owner('POST', '/api/keys', { ...vendorKey, value: 'sk_live_secret' }), 400);
  const taken = await as.owner('POST', '/api/keys', vendorKey);
  expectProblem(taken, 409, 'name');
  expect(taken.json.code).toBe('key.name_taken');
  // A control owner registers keys of their own department only.
  const foreign = await as.owner('POST', '/api/keys', { ...vendorKey, name: 'x-5', department: 'clinical' });
  expectProblem(foreign, 403);
});

it('an owner attests a rotation, CI records one with a token; the clock flips from overdue to ok', async () => {
  const path = '/api/keys/e2e-vendor-api-key/rotations';
  const old = new Date(Date.now() - 40 * DAY).toISOString();
  const attested = await as.owner('POST', path, { rotatedAt: old, note: 'rotated by hand', evidence: 'TICKET-7' });
  expect(attested.status).toBe(201);
  expect(attested.json).toMatchObject({ state: 'overdue', lastRotatedAt: old });
  expect(attested.json.rotations[0]).toMatchObject({ source: 'owner_attestation', actorName: 'Somchai Jaidee' });
  const listed = await as.owner('GET', '/api/keys?state=overdue');
  expect(listed.json.items.map((k: any) => k.name)).toContain('e2e-vendor-api-key');

  const recorded = await ci('POST', path, { evidence: 'https://ci.example.com/runs/4821' });
  expect(recorded.status).toBe(201);
  expect(recorded.json.state).toBe('ok');
  expect(recorded.json.rotations.map((r: any) => r.source)).toEqual(['ci', 'owner_attestation']);
  expect(new Date(recorded.json.dueAt).getTime()).toBeGreaterThan(Date.now() + 29 * DAY);
  const ok = await as.compliance('GET', '/api/keys?state=ok&limit=200');
  expect(ok.json.items.map((k: any) => k.name)).toContain('e2e-vendor-api-key');
  const trail = await as.compliance('GET', '/api/audit-trail?action=key.rotate&limit=50');
  expect(trail.json.items.map((e: any) => e.data.source).sort()).toEqual(['ci', 'owner_attestation']);
});

it('refuses bad rotations naming the field', async () => {
  const path = '/api/keys/e2e-vendor-api-key/rotations';
  expectProblem(await ci('POST', path, { rotatedAt: new Date(Date.now() + DAY).toISOString() }), 400, 'rotatedAt');
  expectProblem(await ci('POST', path, { rotatedAt: '2026-12-01' }), 400, 'rotatedAt');
  expectProblem(await ci('POST', path, { evidence: 'x'.repeat(501) }), 400, 'evidence');
  expectProblem(await ci('POST', '/api/keys/no-such-key/rotations', {}), 404);
  expectProblem(await ci('POST', '/api/keys/BAD_NAME/rotations', {}), 400, 'name');
});

it('gives each role what it may: department scope, compliance all, auditor reads, viewer nothing', async () => {
  const name = '/api/keys/e2e-vendor-api-key';
  // A control owner of another department: the key does not exist for them.
  expectProblem(await as.owner2('GET', name), 404);
  expectProblem(await as.owner2('POST', `${name}/rotations`, {}), 404);
  expect((await as.owner2('GET', '/api/keys')).json.items).toEqual([]);
  const mine = await as.owner('GET', '/api/keys?limit=200');
  expect(mine.json.items.every((k: any) => k.department === 'engineering')).toBe(true);
  // Compliance sees every key and may record; the auditor (SOC 2 engagement this year) reads, never writes.
  expect((await as.compliance('GET', name)).status).toBe(200);
  expect((await as.admin('GET', name)).status).toBe(200);
  const audited = await as.auditor('GET', name);
  expect(audited.status).toBe(200);
  expect(audited.json.rotations).toHaveLength(2);
  expectProblem(await as.auditor('POST', `${name}/rotations`, {}), 403);
  expectProblem(await as.auditor('POST', '/api/keys', { ...vendorKey, name: 'x-6' }), 403);
  expectProblem(await as.viewer('GET', '/api/keys'), 403);
  expectProblem(await as.viewer('GET', name), 403);
});

it('an auditor whose engagement period ended before a key was registered does not see it (404)', async () => {
  const admin = client(t.baseUrl, await login(t.baseUrl, DEMO.admin));
  const created = await admin('POST', '/api/users', {
    email: 'past-auditor@audit.test',
    name: 'Pat Past',
    role: 'auditor',
  });
  expect(created.status).toBe(201);
  const year = new Date().getUTCFullYear() - 1;
  const engagement = await as.compliance('POST', '/api/engagements', {
    auditorUserId: created.json.user.id,
    frameworks: ['soc2'],
    from: `${year}-01-01`,
    to: `${year}-12-31`,
    expiresAt: new Date(Date.now() + 30 * DAY).toISOString(),
  });
  expect(engagement.status).toBe(201);
  const past = client(t.baseUrl, await login(t.baseUrl, 'past-auditor@audit.test', created.json.oneTimePassword));
  expectProblem(await past('GET', '/api/keys/e2e-vendor-api-key'), 404);
  const listed = await past('GET', '/api/keys');
  expect([listed.status, listed.json.items]).toEqual([200, []]);
});

it('reminds the owner when due soon and escalates when overdue, each once only per due moment', async () => {
  const clocks = t.app.get(KeyClocksService);
  const created = await as.owner('POST', '/api/keys', { ...vendorKey, name: 'e2e-reminded-key' });
  const dueAt = new Date(created.json.dueAt).getTime();
  const soon = new Date(dueAt - 3 * DAY);
  const first = await clocks.remindAndEscalate(soon);
  expect(first.reminders).toBeGreaterThanOrEqual(1);
  expect(await clocks.remindAndEscalate(soon)).toEqual({ reminders: 0, escalations: 0 });
  const late = new Date(dueAt + DAY);
  expect((await clocks.remindAndEscalate(late)).escalations).toBeGreaterThanOrEqual(1);
  expect(await clocks.remindAndEscalate(late)).toEqual({ reminders: 0, escalations: 0 });
  // Two instances at once: the bookkeeping row lets only one send.
  const later = new Date(dueAt + 2 * DAY);
  const both = await Promise.all([clocks.remindAndEscalate(later), clocks.remindAndEscalate(later)]);
  expect(both).toEqual([
    { reminders: 0, escalations: 0 },
    { reminders: 0, escalations: 0 },
  ]);
  const about = (items: any[]) => items.filter((n) => n.subject.includes('e2e-reminded-key')).map((n) => n.kind);
  expect(about((await as.owner('GET', '/api/notifications?limit=200')).json.items).sort()).toEqual([
    'key.escalation',
    'key.reminder',
  ]);
  expect(about((await as.compliance('GET', '/api/notifications?limit=200')).json.items)).toEqual(['key.escalation']);
  const notices = await t.app
    .get(DataSource)
    .query(
      `SELECT n.kind FROM key_notices n JOIN keys k ON k.id = n.key_id WHERE k.name = 'e2e-reminded-key' ORDER BY n.kind`,
    );
  expect(notices.map((r: any) => r.kind)).toEqual(['escalation', 'reminder']);
});

it('stores the register snapshot as evidence of ACC-04 in the weekly sweep', async () => {
  const opened = await as.compliance('POST', '/api/sweeps', {});
  expect(opened.status).toBe(200);
  const list = await as.compliance('GET', '/api/evidence?control=ACC-04&limit=100');
  const item = (list.json.items as any[]).find((i) => i.source === 'collector:key-register');
  expect(item).toBeDefined();
  const file = await as.compliance('GET', `/api/evidence/${item.id}/download`);
  expect(file.status).toBe(200);
  const data = JSON.parse(file.text);
  const key = data.keys.find((k: any) => k.name === 'e2e-vendor-api-key');
  expect(key).toMatchObject({ state: 'ok', intervalDays: 30, department: 'engineering', rotationsInPeriod: 1 });
  expect(data.counts.keys).toBe(data.keys.length);
  expect(data.keys.map((k: any) => k.state)).toEqual(expect.arrayContaining(['ok', 'due_soon', 'overdue']));
  expect(JSON.stringify(data)).not.toMatch(/secret|value/i);
});

describe('the /keys pages', () => {
  let cookie: string;
  const page = async (path: string, who = cookie) => {
    const res = await fetch(t.baseUrl + path, { headers: { cookie: who, accept: 'text/html' }, redirect: 'manual' });
    return { status: res.status, text: await res.text() };
  };
  beforeAll(async () => {
    cookie = await login(t.baseUrl, DEMO.owner);
  });

  it('lists the keys with their state and due time in the compliance zone, filtered by state', async () => {
    const list = await page('/keys');
    expect(list.status).toBe(200);
    for (const [name, state] of [
      ['payment-gateway-api-key', 'overdue'],
      ['sms-provider-api-key', 'due_soon'],
      ['database-service-role', 'ok'],
    ])
      expect(list.text).toContain(`data-key="${name}" data-state="${state}"`);
    expect(list.text).toMatch(/ICT|GMT\+7/);
    const overdue = await page('/keys?state=overdue');
    expect(overdue.text).toContain('data-key="payment-gateway-api-key"');
    expect(overdue.text).not.toContain('data-key="database-service-role"');
    expect((await page('/keys', await login(t.baseUrl, DEMO.viewer))).status).toBe(403);
    expect((await page('/keys/payment-gateway-api-key', await login(t.baseUrl, DEMO.owner2))).status).toBe(404);
  });

  it('registers a key from the form once (post/redirect/get); a refusal keeps the input and names the field', async () => {
    const refused = await postForm(t.baseUrl, cookie, '/keys', {
      name: 'Bad Name',
      system: 'Typed system',
      kind: 'third_party',
      ownerEmail: DEMO.owner,
      formKey: newKey(),
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('id="name-error"');
    expect(refused.text).toContain('value="Typed system"');
    const fields = {
      name: 'e2e-form-key',
      system: 'Form system',
      kind: 'service_role',
      ownerEmail: DEMO.owner,
      formKey: newKey(),
    };
    const ok = await postForm(t.baseUrl, cookie, '/keys', fields);
    expect([ok.status, ok.location]).toEqual([303, '/keys/e2e-form-key']);
    const again = await postForm(t.baseUrl, cookie, '/keys', fields);
    expect([again.status, again.location]).toEqual([303, '/keys/e2e-form-key']);
    expect((await as.owner('GET', '/api/keys/e2e-form-key')).json).toMatchObject({ intervalDays: 90 });
    const forged = await postForm(t.baseUrl, cookie, '/keys', { ...fields, _csrf: 'forged', formKey: newKey() });
    expect(forged.status).toBe(403);
  });

  it('attests a rotation from the key page; a future time is refused with the note kept', async () => {
    const refused = await postForm(t.baseUrl, cookie, '/keys/e2e-form-key/rotations', {
      rotatedAt: '2099-01-01T10:00',
      note: 'typed note',
      formKey: newKey(),
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('id="rotatedAt-error"');
    expect(refused.text).toContain('typed note');
    const ok = await postForm(t.baseUrl, cookie, '/keys/e2e-form-key/rotations', {
      note: 'rotated in the vault',
      evidence: 'VAULT-v12',
      formKey: newKey(),
    });
    expect([ok.status, ok.location]).toEqual([303, '/keys/e2e-form-key#history']);
    const shown = await page('/keys/e2e-form-key');
    expect(shown.text).toContain('data-source="owner_attestation"');
    expect(shown.text).toContain('VAULT-v12');
    expect((await as.owner('GET', '/api/keys/e2e-form-key')).json.rotations).toHaveLength(1);
  });
});
