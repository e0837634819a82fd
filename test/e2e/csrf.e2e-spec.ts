// Cross-site request forgery (issue 13): a page on a sibling origin made the admin's browser create an
// admin user, through the page form (POST /admin/users) and through the JSON API with a form body
// (POST /api/users → 201). Now: cross-origin state changes are refused (Sec-Fetch-Site, else Origin),
// page forms carry the session's token, and /api/* takes JSON (multipart, CSV, YAML where declared).
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { csrfToken, postForm } from '../support/forms';

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  admin = await login(t.baseUrl, DEMO.admin);
});
afterAll(async () => t?.close());

const newUser = (n: string) => ({ email: `csrf-${n}@example.com`, name: `Mallory ${n}`, role: 'admin' });
const userExists = async (n: string) =>
  (await client(t.baseUrl, admin)('GET', `/api/users?q=csrf-${n}`)).json.total > 0;
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('a page of a sibling origin, in the admin’s browser', () => {
  it('cannot create a user through the page form, even with a valid token', async () => {
    const token = await csrfToken(t.baseUrl, admin);
    const res = await fetch(`${t.baseUrl}/admin/users`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: admin,
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://wiki.127.0.0.1.nip.io',
        'sec-fetch-site': 'same-site',
      },
      body: form({ ...newUser('page'), _csrf: token }),
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('another site');
    expect(await userExists('page')).toBe(false);
  });

  it('cannot create a user through the API with a form body (415), nor with JSON from another origin (403)', async () => {
    const formBody = await fetch(`${t.baseUrl}/api/users`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' },
      body: form(newUser('api')),
    });
    expect(formBody.status).toBe(415);
    expect(formBody.headers.get('content-type')).toContain('application/problem+json');
    expect(((await formBody.json()) as any).code).toBe('request.unsupported_media_type');
    const textPlain = await fetch(`${t.baseUrl}/api/users`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'text/plain' },
      body: JSON.stringify(newUser('api')),
    });
    expect(textPlain.status).toBe(415);
    const crossJson = await client(t.baseUrl, admin)('POST', '/api/users', newUser('api'), {
      origin: 'http://evil.example',
    });
    expect(crossJson.status).toBe(403);
    expect(crossJson.headers.get('content-type')).toContain('application/problem+json');
    expect(crossJson.json.code).toBe('request.cross_origin');
    expect(await userExists('api')).toBe(false);
  });

  it('cannot sign anyone in or out from another origin', async () => {
    const res = await fetch(`${t.baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: form({ email: DEMO.viewer, password: 'attest-demo' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('page forms carry the session’s token', () => {
  it('every page has it in its forms, and the form with it goes through', async () => {
    const page = await client(t.baseUrl, admin)('GET', '/admin/users');
    const token = await csrfToken(t.baseUrl, admin);
    expect(page.text).toContain(
      `<form method="post" action="/admin/users" id="create-user"><input type="hidden" name="_csrf" value="${token}">`,
    );
    const res = await postForm(t.baseUrl, admin, '/admin/users', newUser('ok'), {
      origin: t.baseUrl,
      'sec-fetch-site': 'same-origin',
    });
    expect(res.status).toBe(201); // the page shows the one-time password
    expect(await userExists('ok')).toBe(true);
  });

  it('a form without the token, or with another session’s, is refused with a page that says what to do', async () => {
    for (const _csrf of ['', await csrfToken(t.baseUrl, await login(t.baseUrl, DEMO.admin))]) {
      const res = await postForm(
        t.baseUrl,
        admin,
        '/admin/users',
        { ...newUser('forged'), _csrf },
        { referer: `${t.baseUrl}/admin/users` },
      );
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.text).toContain('Go back, reload the page and send it again');
      expect(res.text).toContain('href="/admin/users"');
    }
    expect(await userExists('forged')).toBe(false);
  });

  it('the API says 403 problem+json for a page route called without the token from a script with the cookie', async () => {
    const res = await client(t.baseUrl, admin)('POST', '/admin/users', newUser('script'));
    expect(res.status).toBe(403);
    expect(res.json.code).toBe('csrf.invalid_token');
  });

  it('sign-out needs the token too (the header’s form has it)', async () => {
    const cookie = await login(t.baseUrl, DEMO.viewer);
    const forged = await fetch(`${t.baseUrl}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie } });
    expect(forged.status).toBe(403);
    expect((await client(t.baseUrl, cookie)('GET', '/api/me')).status).toBe(200);
    const res = await postForm(t.baseUrl, cookie, '/logout');
    expect(res.status).toBe(303);
    expect((await client(t.baseUrl, cookie)('GET', '/api/me')).status).toBe(401);
  });
});

describe('the JSON API', () => {
  it('still takes JSON from API clients (bearer token, no Origin) and from its own origin', async () => {
    const token = (await client(t.baseUrl, admin)('POST', '/api/tokens', { name: 'csrf-test' })).json.token;
    expect((await client(t.baseUrl, token)('POST', '/api/users', newUser('bearer'))).status).toBe(201);
    expect(
      (
        await client(t.baseUrl, admin)('POST', '/api/users', newUser('same'), {
          origin: t.baseUrl,
          'sec-fetch-site': 'same-origin',
        })
      ).status,
    ).toBe(201);
  });

  it('takes the declared types where a route declares them (CSV import), and names the accepted types otherwise', async () => {
    const csv = await fetch(`${t.baseUrl}/api/risks/import`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'text/csv' },
      body: 'not,a,register\n',
    });
    expect(csv.status).not.toBe(415);
    const yaml = await fetch(`${t.baseUrl}/api/risks/import`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/yaml' },
      body: 'a: 1',
    });
    expect(yaml.status).toBe(415);
    expect(((await yaml.json()) as any).detail).toBe(
      'This endpoint takes application/json or text/csv, not application/yaml.',
    );
  });
});
