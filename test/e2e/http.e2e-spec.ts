// The HTTP basics of the real app over real HTTP: health, errors as problem+json, validation, limits,
// security headers, request ids, OpenAPI and the home page.
import { EchoFixtureModule } from '../fixtures/echo.controller';
import { json } from '../support/http';
import { startTestApp, TestApp } from '../support/app';
import { login } from '../support/auth';
import { systemActor } from '../../src/authz/actor';
import { UsersService } from '../../src/identity/users.service';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ extra: [EchoFixtureModule], env: { BODY_LIMIT_BYTES: '4096' } });
});
afterAll(async () => t?.close());

const postJson = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(t.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = await json(res);
  expect(body).toMatchObject({
    status,
    type: expect.stringMatching(/^https:\/\//),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(body.requestId).toBe(res.headers.get('x-request-id'));
  return body;
}

describe('GET /health', () => {
  it('is ok with the database reachable and no pending migration (the details for a signed-in admin only)', async () => {
    const anonymous = await fetch(`${t.baseUrl}/health`);
    expect(anonymous.status).toBe(200);
    expect(await json(anonymous)).toEqual({ status: 'ok' });
    await t.app
      .get(UsersService)
      .create(
        systemActor('test'),
        { email: 'health-admin@example.com', name: 'Admin', role: 'admin' },
        { password: 'a long enough password' },
      );
    const res = await fetch(`${t.baseUrl}/health`, {
      headers: { cookie: await login(t.baseUrl, 'health-admin@example.com', 'a long enough password') },
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.status).toBe('ok');
    expect(body.details.database).toMatchObject({ status: 'up', serverVersion: expect.stringMatching(/^\d+/) });
    expect(body.details.migrations).toEqual({ status: 'up', pending: 0 });
    expect(body.details.storage).toEqual({
      status: 'up',
      freeBytes: expect.any(Number),
      reserveBytes: 64 * 1024 * 1024,
      low: false,
    });
  });
});

describe('errors and input', () => {
  it('accepts a valid body', async () => {
    const res = await postJson('/test/echo', JSON.stringify({ title: 'Access review', count: 2 }));
    expect(res.status).toBe(201);
    expect(await json(res)).toEqual({ received: { title: 'Access review', count: 2 } });
  });

  it('rejects an unknown field with 400 naming it', async () => {
    const body = await expectProblem(await postJson('/test/echo', JSON.stringify({ title: 'x', colour: 'red' })), 400);
    expect(body.code).toBe('request.invalid');
    expect(body.errors).toEqual([{ field: 'colour', message: 'is not an allowed field' }]);
  });

  it('rejects a wrong type and a missing field, naming both', async () => {
    const body = await expectProblem(await postJson('/test/echo', JSON.stringify({ count: 'two' })), 400);
    expect([...new Set(body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['count', 'title']);
  });

  it('rejects malformed JSON with 400 naming the body', async () => {
    const body = await expectProblem(await postJson('/test/echo', '{"title": "x",'), 400);
    expect(body.code).toBe('request.malformed_json');
    expect(body.errors[0].field).toBe('body');
  });

  it('rejects an empty JSON body with 400 naming the body', async () => {
    const body = await expectProblem(await postJson('/test/echo', ''), 400);
    expect(body.errors[0].field).toBe('body');
  });

  it('rejects a body over BODY_LIMIT_BYTES with 413', async () => {
    const body = await expectProblem(await postJson('/test/echo', JSON.stringify({ title: 'x'.repeat(5000) })), 413);
    expect(body.code).toBe('request.too_large');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const body = await expectProblem(await fetch(`${t.baseUrl}/no/such/page`), 404);
    expect(body.code).toBe('route.not_found');
    expect(body.instance).toBe('/no/such/page');
  });

  it('answers a server fault with a generic 500 that leaks nothing', async () => {
    const body = await expectProblem(await fetch(`${t.baseUrl}/test/boom`), 500);
    expect(body.code).toBe('internal');
    expect(JSON.stringify(body)).not.toMatch(/hunter2|at .*\.ts/);
  });
});

describe('headers', () => {
  it('sets security headers', async () => {
    const res = await fetch(`${t.baseUrl}/`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('returns the caller request id, or a new one', async () => {
    const given = await fetch(`${t.baseUrl}/health`, { headers: { 'x-request-id': 'trace-1234abcd' } });
    expect(given.headers.get('x-request-id')).toBe('trace-1234abcd');
    const fresh = await fetch(`${t.baseUrl}/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('OpenAPI and pages', () => {
  it('serves the OpenAPI document and the docs page', async () => {
    const doc = await json(await fetch(`${t.baseUrl}/api/openapi.json`));
    expect(doc.info.title).toBe('Attest API');
    expect(Object.keys(doc.paths)).toContain('/health');
    const page = await fetch(`${t.baseUrl}/api/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
  });

  it('renders the home page with the product name and the health state', async () => {
    const res = await fetch(`${t.baseUrl}/`);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<h1>Attest</h1>');
    expect(html).toMatch(/<span id="health-state" class="ok">ok<\/span>/);
    expect(html).toContain('PostgreSQL');
  });

  it('serves the CSS library and our stylesheet', async () => {
    const pico = await fetch(`${t.baseUrl}/assets/vendor/pico.min.css`);
    expect(pico.status).toBe(200);
    expect(pico.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${t.baseUrl}/assets/vendor/pico.css`)).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/assets/attest.css`)).status).toBe(200);
  });
});
