// Holes found by probing sign-in, sessions and tokens (issue 13): the redirect after sign-in, a password
// change that left other sessions alive, API tokens that minted longer-lived tokens or changed the
// password, tokens that revived with their deactivated owner, bidi characters in display names, and the
// database details on the public /health; and POST /api/packs refusing the engagementId the README documents.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let admin: ReturnType<typeof client>;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  admin = client(t.baseUrl, await login(t.baseUrl, DEMO.admin));
});
afterAll(async () => t?.close());

/** A fresh user with a password of their own (so no demo user's sessions are disturbed). */
async function person(tag: string): Promise<{ id: string; email: string; password: string }> {
  const email = `${tag}-${Date.now()}@example.com`;
  const created = await admin('POST', '/api/users', {
    email,
    name: `Person ${tag}`,
    role: 'control_owner',
    department: 'engineering',
  });
  expect(created.status).toBe(201);
  const password = 'a long enough password';
  const first = await login(t.baseUrl, email, created.json.oneTimePassword);
  expect(
    (
      await client(t.baseUrl, first)('POST', '/api/me/password', {
        currentPassword: created.json.oneTimePassword,
        newPassword: password,
      })
    ).status,
  ).toBe(204);
  return { id: created.json.user.id, email, password };
}

describe('the redirect after sign-in', () => {
  const signIn = (next: string) =>
    fetch(`${t.baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: DEMO.viewer, password: 'attest-demo', next }).toString(),
    });

  it.each([
    ['/\t/evil.example'],
    ['/\\evil.example'],
    ['//evil.example'],
    ['/..//evil.example'],
    ['/risks\r\nSet-Cookie: x=1'],
    ['https://evil.example/'],
  ])('%j leads to / (no open redirect, no 500)', async (next) => {
    const res = await signIn(next);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });

  it('keeps a path of this site', async () => {
    const res = await signIn('/risks?register=security');
    expect(res.headers.get('location')).toBe('/risks?register=security');
  });

  it('the sign-in page does not carry a hostile next into its form', async () => {
    const page = await fetch(`${t.baseUrl}/login?next=${encodeURIComponent('/\t/evil.example')}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="next" value="/"');
  });
});

describe('changing the password', () => {
  it('ends the user’s other sessions and keeps the one that changed it', async () => {
    const p = await person('pw');
    const laptop = client(t.baseUrl, await login(t.baseUrl, p.email, p.password));
    const phone = client(t.baseUrl, await login(t.baseUrl, p.email, p.password));
    expect((await phone('GET', '/api/me')).status).toBe(200);
    expect(
      (await laptop('POST', '/api/me/password', { currentPassword: p.password, newPassword: 'another long password' }))
        .status,
    ).toBe(204);
    expect((await laptop('GET', '/api/me')).status).toBe(200);
    expect((await phone('GET', '/api/me')).status).toBe(401);
    const entry = (await admin('GET', `/api/audit-trail?action=user.password_change&subjectId=${p.id}`)).json.items[0];
    expect(entry.data).toEqual({ endedSessions: 2 }); // the phone's, and the one that set the first password
  });
});

describe('API tokens', () => {
  it('cannot create tokens nor change the password (403 problem+json); a session can', async () => {
    const p = await person('tok');
    const session = client(t.baseUrl, await login(t.baseUrl, p.email, p.password));
    const token = (await session('POST', '/api/tokens', { name: 'ci', expiresInDays: 30 })).json.token;
    const viaToken = client(t.baseUrl, token);
    const minted = await viaToken('POST', '/api/tokens', { name: 'longer', expiresInDays: 365 });
    expect(minted.status).toBe(403);
    expect(minted.headers.get('content-type')).toContain('application/problem+json');
    expect(minted.json.code).toBe('api_token.created_by_token');
    const changed = await viaToken('POST', '/api/me/password', {
      currentPassword: p.password,
      newPassword: 'stolen and changed pw',
    });
    expect(changed.status).toBe(403);
    expect(changed.json.code).toBe('auth.password_change_needs_session');
    expect((await session('GET', '/api/tokens')).json.total).toBe(1);
    expect(await login(t.baseUrl, p.email, p.password)).toMatch(/^attest_session=/);
  });

  it('of a deactivated user stay revoked when the user is reactivated', async () => {
    const p = await person('deact');
    const token = (
      await client(t.baseUrl, await login(t.baseUrl, p.email, p.password))('POST', '/api/tokens', { name: 'ci' })
    ).json.token;
    expect((await client(t.baseUrl, token)('GET', '/api/me')).status).toBe(200);
    expect((await admin('PATCH', `/api/users/${p.id}`, { active: false })).status).toBe(200);
    expect((await client(t.baseUrl, token)('GET', '/api/me')).status).toBe(401);
    expect((await admin('PATCH', `/api/users/${p.id}`, { active: true })).status).toBe(200);
    expect((await client(t.baseUrl, token)('GET', '/api/me')).status).toBe(401);
    const entry = (await admin('GET', `/api/audit-trail?action=user.update&subjectId=${p.id}`)).json.items.find(
      (e: { data: { revokedTokens?: number } }) => e.data.revokedTokens !== undefined,
    );
    expect(entry.data.revokedTokens).toBe(1);
  });
});

describe('display names', () => {
  it('lose bidi overrides and control characters, as file names do (API, self-service and the admin page)', async () => {
    const created = await admin('POST', '/api/users', {
      email: `bidi-${Date.now()}@example.com`,
      name: 'Mallory \u202Enimda\u202C  \u2066x\u2069',
      role: 'viewer',
    });
    expect(created.status).toBe(201);
    expect(created.json.user.name).toBe('Mallory nimda x');
    const renamed = await admin('PATCH', `/api/users/${created.json.user.id}`, {
      name: 'Eve\u200F\u202Dtrusted\u202C',
    });
    expect(renamed.json.name).toBe('Evetrusted');
    const me = client(
      t.baseUrl,
      await login(t.baseUrl, created.json.user.email ?? `bidi@example.com`, created.json.oneTimePassword),
    );
    expect((await me('PATCH', '/api/me', { name: 'Me\u202E\u2067' })).json.name).toBe('Me');
    const empty = await me('PATCH', '/api/me', { name: '\u202E\u202C' });
    expect(empty.status).toBe(400);
    expect(empty.json.errors).toEqual([{ field: 'name', message: 'must contain visible characters' }]);
  });
});

describe('GET /health', () => {
  it('tells everyone the status, and only a signed-in admin the database details', async () => {
    const anonymous = await fetch(`${t.baseUrl}/health`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: 'ok' });
    const viewer = await client(t.baseUrl, await login(t.baseUrl, DEMO.viewer))('GET', '/health');
    expect(viewer.json).toEqual({ status: 'ok' });
    const asAdmin = await admin('GET', '/health');
    expect(asAdmin.json.status).toBe('ok');
    expect(asAdmin.json.details.database).toMatchObject({
      status: 'up',
      target: expect.any(String),
      serverVersion: expect.any(String),
    });
  });
});

describe('POST /api/packs as the README documents it', () => {
  it('takes the engagementId an auditor names; another engagement is 403, a malformed one 400', async () => {
    const auditor = client(t.baseUrl, await login(t.baseUrl, DEMO.auditor));
    const engagementId = (await auditor('GET', '/api/engagements?active=1')).json.items[0].id;
    const year = Number(new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 4));
    const scope = { framework: 'soc2', from: `${year}-01-01`, to: `${year}-01-31` };
    const asked = await auditor('POST', '/api/packs', { ...scope, engagementId });
    expect(asked.status).toBe(202);
    expect((await auditor('GET', `/api/packs/${asked.json.id}`)).json.engagementId).toBe(engagementId);
    expect(
      (await auditor('POST', '/api/packs', { ...scope, engagementId: '00000000-0000-4000-8000-000000000000' })).status,
    ).toBe(403);
    const bad = await auditor('POST', '/api/packs', { ...scope, engagementId: 'mine' });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].field).toBe('engagementId');
  });
});
