// Sign-in, sessions, API tokens and users over real HTTP, including the attacks the design names:
// BOLA (asking for someone else's object by id) and mass assignment (setting role/owner via a body).
import { Client } from 'pg';
import { AuthService } from '../../src/identity/auth.service';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
const as: Record<string, string> = {};
let api: (who: string | null) => ReturnType<typeof client>;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', LOGIN_RATE_LIMIT: '5' } });
  api = (who) => client(t.baseUrl, who);
  for (const [k, email] of Object.entries(DEMO)) as[k] = await login(t.baseUrl, email);
});
afterAll(async () => t?.close());

async function auditActions(): Promise<string[]> {
  const c = new Client({ connectionString: t.db.url });
  await c.connect();
  try {
    return (await c.query<{ action: string }>('SELECT action FROM audit_log ORDER BY seq')).rows.map((r) => r.action);
  } finally {
    await c.end();
  }
}

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie and /api/me says who I am', async () => {
    const res = await fetch(`${t.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'Owner@Demo.Local', password: 'attest-demo' }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^attest_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain http here; Secure is set when served over https
    const me = await api(cookie.split(';')[0])('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ email: 'owner@demo.local', role: 'control_owner', departmentKey: 'engineering' });
    expect(me.json).not.toHaveProperty('passwordHash');
  });

  it('gives one generic message for a wrong password, an unknown e-mail and bad input', async () => {
    const wrong = await api(null)('POST', '/api/auth/login', { email: DEMO.viewer, password: 'nope-nope-nope' });
    const unknown = await api(null)('POST', '/api/auth/login', {
      email: 'ghost@demo.local',
      password: 'nope-nope-nope',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.detail).toBe(unknown.json.detail);
    expect(wrong.json.code).toBe('auth.invalid_credentials');
    expect((await auditActions()).filter((a) => a === 'auth.login_failed').length).toBeGreaterThanOrEqual(2);
  });

  it('throttles repeated attempts for one e-mail with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push(
        (await api(null)('POST', '/api/auth/login', { email: 'throttle@demo.local', password: 'x' })).status,
      );
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[6]).toBe(429);
    const limited = await api(null)('POST', '/api/auth/login', { email: 'throttle@demo.local', password: 'x' });
    expect(limited.json.code).toBe('request.rate_limited');
  });

  it('answers 401 without a session, and after logout', async () => {
    expect((await api(null)('GET', '/api/me')).status).toBe(401);
    const cookie = await login(t.baseUrl, DEMO.viewer);
    expect((await api(cookie)('POST', '/api/auth/logout')).status).toBe(204);
    const after = await api(cookie)('GET', '/api/me');
    expect(after.status).toBe(401);
    expect(after.json.code).toBe('auth.required');
  });

  it('the daily purge deletes sessions that ended over a day ago, and only those', async () => {
    const c = new Client({ connectionString: t.db.url });
    await c.connect();
    try {
      const count = async () => Number((await c.query('SELECT count(*) AS n FROM sessions')).rows[0].n);
      const live = await login(t.baseUrl, DEMO.viewer);
      const ended = await login(t.baseUrl, DEMO.viewer);
      await api(ended)('POST', '/api/auth/logout');
      const before = await count();
      const purge = (at: Date) => t.app.get(AuthService).purgeEndedSessions(at);
      expect(await purge(new Date())).toBe(0);
      // Two days on, the signed-out session (and any other that ended) goes; live ones stay and still work.
      await c.query(`UPDATE sessions SET expires_at = now() + interval '30 days' WHERE revoked_at IS NULL`);
      const removed = await purge(new Date(Date.now() + 2 * 86_400_000));
      expect(removed).toBeGreaterThanOrEqual(1);
      expect(await count()).toBe(before - removed);
      expect(Number((await c.query('SELECT count(*) AS n FROM sessions WHERE revoked_at IS NOT NULL')).rows[0].n)).toBe(
        0,
      );
      expect((await api(live)('GET', '/api/me')).status).toBe(200);
    } finally {
      await c.end();
    }
  });

  it('records logins and logouts in the audit trail', async () => {
    const actions = await auditActions();
    expect(actions).toContain('auth.login');
    expect(actions).toContain('auth.logout');
  });
});

describe('API tokens', () => {
  it('are shown once, authenticate as Bearer, list without the secret, and stop working when revoked', async () => {
    const created = await api(as.owner)('POST', '/api/tokens', { name: 'CI pipeline' });
    expect(created.status).toBe(201);
    const token: string = created.json.token;
    expect(token).toMatch(/^atk_/);
    const me = await api(token)('GET', '/api/me');
    expect(me.json.email).toBe(DEMO.owner);
    const list = await api(as.owner)('GET', '/api/tokens');
    expect(list.json.items.some((i: { id: string }) => i.id === created.json.id)).toBe(true);
    expect(list.text).not.toContain(token);
    expect(list.json.items.find((i: { id: string }) => i.id === created.json.id).lastUsedAt).not.toBeNull();
    expect((await api(as.owner)('DELETE', `/api/tokens/${created.json.id}`)).status).toBe(204);
    const after = await api(token)('GET', '/api/me');
    expect(after.status).toBe(401);
    expect(after.json.code).toBe('auth.invalid_token');
  });

  it('BOLA: another user cannot see or revoke my token (404, no existence oracle); an admin can revoke it', async () => {
    const mine = await api(as.owner)('POST', '/api/tokens', { name: 'mine' });
    expect((await api(as.owner2)('DELETE', `/api/tokens/${mine.json.id}`)).status).toBe(404);
    expect((await api(as.compliance)('DELETE', `/api/tokens/${mine.json.id}`)).status).toBe(404);
    const theirList = await api(as.owner2)('GET', '/api/tokens');
    expect(theirList.json.items.map((i: { id: string }) => i.id)).not.toContain(mine.json.id);
    expect((await api(as.admin)('DELETE', `/api/tokens/${mine.json.id}`)).status).toBe(204);
  });

  it('mass assignment: a token cannot be created for someone else', async () => {
    const admin = await api(as.admin)('GET', '/api/me');
    const res = await api(as.owner)('POST', '/api/tokens', { name: 'sneaky', userId: admin.json.id });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ field: 'userId', message: 'is not an allowed field' }]);
  });
});

describe('users', () => {
  const userIdOf = async (email: string) =>
    (await api(as.admin)('GET', `/api/users?q=${encodeURIComponent(email)}`)).json.items[0].id as string;

  it('lists only what each role may see, filtered in SQL and paged', async () => {
    const all = await api(as.admin)('GET', '/api/users?limit=100');
    expect(all.json.total).toBeGreaterThanOrEqual(7);
    const owner = await api(as.owner)('GET', '/api/users');
    expect(owner.json.items.every((u: { departmentKey: string }) => u.departmentKey === 'engineering')).toBe(true);
    expect(owner.json.items.map((u: { email: string }) => u.email)).toContain(DEMO.owner);
    const viewer = await api(as.viewer)('GET', '/api/users');
    expect(viewer.json.items.map((u: { email: string }) => u.email)).toEqual([DEMO.viewer]);
    const paged = await api(as.admin)('GET', '/api/users?limit=2&offset=1');
    expect(paged.json).toMatchObject({ limit: 2, offset: 1, total: all.json.total });
    expect(paged.json.items).toHaveLength(2);
  });

  it('field rules: a control owner does not get colleagues’ activity fields; admins do', async () => {
    const owner = await api(as.owner)('GET', '/api/me');
    expect(owner.json).not.toHaveProperty('lastLoginAt');
    const adminView = await api(as.admin)('GET', `/api/users/${owner.json.id}`);
    expect(adminView.json).toHaveProperty('lastLoginAt');
  });

  it('GET /api/me, answered from what authentication read, is what GET /api/users/:id shows of oneself', async () => {
    for (const who of ['admin', 'compliance', 'owner', 'viewer', 'auditor'] as const) {
      const me = await api(as[who])('GET', '/api/me');
      expect(me.status).toBe(200);
      const self = await api(as[who])('GET', `/api/users/${me.json.id}`);
      expect([who, me.json]).toEqual([who, self.json]);
    }
    const token = (await api(as.admin)('POST', '/api/tokens', { name: 'me-view' })).json.token as string;
    const viaToken = await api(token)('GET', '/api/me');
    expect(viaToken.json).toEqual((await api(as.admin)('GET', '/api/me')).json);
    expect(viaToken.json).toHaveProperty('lastLoginAt');
  });

  it('BOLA: a control owner asking for a user of another department gets 404', async () => {
    const clinical = await userIdOf(DEMO.owner2);
    const res = await api(as.owner)('GET', `/api/users/${clinical}`);
    expect(res.status).toBe(404);
    expect(res.json.code).toBe('user.not_found');
  });

  it('only admins change users: 403 for others; mass assignment through /api/me is rejected', async () => {
    const ownerId = await userIdOf(DEMO.owner);
    expect((await api(as.compliance)('PATCH', `/api/users/${ownerId}`, { role: 'admin' })).status).toBe(403);
    expect((await api(as.owner)('PATCH', `/api/users/${ownerId}`, { role: 'admin' })).status).toBe(403);
    const viaMe = await api(as.owner)('PATCH', '/api/me', {
      name: 'Somchai J.',
      role: 'admin',
      department: 'compliance',
    });
    expect(viaMe.status).toBe(400);
    expect(viaMe.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['department', 'role']);
    const me = await api(as.owner)('GET', '/api/me');
    expect(me.json).toMatchObject({ role: 'control_owner', departmentKey: 'engineering' });
  });

  it('an admin creates a user with a one-time password that works once set, and can deactivate them', async () => {
    const created = await api(as.admin)('POST', '/api/users', {
      email: 'New.Person@Example.com',
      name: 'New Person',
      role: 'control_owner',
      department: 'finance',
    });
    expect(created.status).toBe(201);
    expect(created.json.user).toMatchObject({
      email: 'new.person@example.com',
      departmentKey: 'finance',
      active: true,
    });
    const cookie = await login(t.baseUrl, 'new.person@example.com', created.json.oneTimePassword);
    expect(
      (
        await api(cookie)('POST', '/api/me/password', {
          currentPassword: 'wrong',
          newPassword: 'a much better password',
        })
      ).json.errors[0].field,
    ).toBe('currentPassword');
    expect(
      (
        await api(cookie)('POST', '/api/me/password', {
          currentPassword: created.json.oneTimePassword,
          newPassword: 'short',
        })
      ).json.errors[0].field,
    ).toBe('newPassword');
    expect(
      (
        await api(cookie)('POST', '/api/me/password', {
          currentPassword: created.json.oneTimePassword,
          newPassword: 'a much better password',
        })
      ).status,
    ).toBe(204);
    const deactivated = await api(as.admin)('PATCH', `/api/users/${created.json.user.id}`, { active: false });
    expect(deactivated.json.active).toBe(false);
    expect((await api(cookie)('GET', '/api/me')).status).toBe(401); // signed out at once
    expect(
      (
        await api(null)('POST', '/api/auth/login', {
          email: 'new.person@example.com',
          password: 'a much better password',
        })
      ).status,
    ).toBe(401);
  });

  it('rejects a duplicate e-mail with 409, an unknown department with 400, and keeps the last admin', async () => {
    expect(
      (await api(as.admin)('POST', '/api/users', { email: DEMO.viewer, name: 'Dup', role: 'viewer' })).status,
    ).toBe(409);
    const badDept = await api(as.admin)('POST', '/api/users', {
      email: 'x@example.com',
      name: 'X',
      role: 'viewer',
      department: 'no-such',
    });
    expect(badDept.status).toBe(400);
    expect(badDept.json.errors[0].field).toBe('department');
    const adminId = await userIdOf(DEMO.admin);
    const demote = await api(as.admin)('PATCH', `/api/users/${adminId}`, { role: 'viewer' });
    expect(demote.status).toBe(422);
    expect(demote.json.code).toBe('user.last_admin');
  });

  it('writes user changes to the audit trail without personal data', async () => {
    const c = new Client({ connectionString: t.db.url });
    await c.connect();
    const { rows } = await c.query<{ canonical: string }>(`SELECT canonical FROM audit_log WHERE action LIKE 'user.%'`);
    await c.end();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.canonical).not.toMatch(/@example\.com|@demo\.local|New Person/);
  });

  it('lists departments from the catalog', async () => {
    const res = await api(as.viewer)('GET', '/api/departments');
    expect(res.json.items.map((d: { key: string }) => d.key)).toEqual(
      expect.arrayContaining([
        'compliance',
        'engineering',
        'clinical',
        'privacy',
        'hms-ops',
        'people',
        'security',
        'quality-regulatory',
        'internal-audit',
      ]),
    );
    expect(res.json.items).toHaveLength(15);
  });
});

describe('permissions follow a change at the next request (abilities are kept per role, department and engagements)', () => {
  it('moving, demoting or signing out a signed-in user changes what their next request may do', async () => {
    const created = await api(as.admin)('POST', '/api/users', {
      email: 'mover@example.com',
      name: 'Mover',
      role: 'control_owner',
      department: 'engineering',
    });
    expect(created.status).toBe(201);
    const id = created.json.user.id;
    let cookie = await login(t.baseUrl, 'mover@example.com', created.json.oneTimePassword);
    const password = 'the mover password 1';
    const changed = await api(cookie)('POST', '/api/me/password', {
      currentPassword: created.json.oneTimePassword,
      newPassword: password,
    });
    expect(changed.status).toBe(204);
    cookie = await login(t.baseUrl, 'mover@example.com', password);
    const as2 = api(cookie);
    expect((await as2('GET', '/api/evidence?limit=1')).status).toBe(200);
    expect((await as2('GET', '/api/risks?limit=1')).status).toBe(403); // engineering owners hold no risks

    expect((await api(as.admin)('PATCH', `/api/users/${id}`, { department: 'clinical' })).status).toBe(200);
    expect((await as2('GET', '/api/risks?limit=1')).status).toBe(200); // clinical owners do, at once
    expect((await api(as.admin)('PATCH', `/api/users/${id}`, { department: 'engineering' })).status).toBe(200);
    expect((await as2('GET', '/api/risks?limit=1')).status).toBe(403);

    expect((await api(as.admin)('PATCH', `/api/users/${id}`, { role: 'viewer' })).status).toBe(200);
    expect((await as2('GET', '/api/evidence?limit=1')).status).toBe(403);
    expect((await api(as.admin)('PATCH', `/api/users/${id}`, { role: 'control_owner' })).status).toBe(200);
    expect((await as2('GET', '/api/evidence?limit=1')).status).toBe(200);

    expect((await as2('POST', '/api/auth/logout')).status).toBe(204);
    expect((await as2('GET', '/api/evidence?limit=1')).status).toBe(401);
  });
});
