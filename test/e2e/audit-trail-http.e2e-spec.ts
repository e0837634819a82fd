// The audit trail through the API and page, as the people allowed to read it (admins, compliance
// managers) and those who are not.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let compliance: string;
let owner: string;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  compliance = await login(t.baseUrl, DEMO.compliance);
  owner = await login(t.baseUrl, DEMO.owner);
});
afterAll(async () => t?.close());

it('a compliance manager pages through entries, newest first, and filters them', async () => {
  const api = client(t.baseUrl, compliance);
  const all = await api('GET', '/api/audit-trail?limit=5');
  expect(all.status).toBe(200);
  expect(all.json.items).toHaveLength(5);
  const seqs = all.json.items.map((e: { seq: number }) => e.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  const logins = await api('GET', '/api/audit-trail?action=auth.login');
  expect(logins.json.total).toBeGreaterThanOrEqual(2);
  expect(logins.json.items.every((e: { action: string }) => e.action === 'auth.login')).toBe(true);
  expect(logins.json.items[0].actor).toMatch(/^user:[0-9a-f-]{36}$/);
  const bad = await api('GET', '/api/audit-trail?limit=0');
  expect(bad.status).toBe(400);
  expect(bad.json.errors[0].field).toBe('limit');
});

it('verifies the chain over HTTP', async () => {
  const res = await client(t.baseUrl, compliance)('GET', '/api/audit-trail/verify');
  expect(res.status).toBe(200);
  expect(res.json.ok).toBe(true);
  expect(res.json.entries).toBeGreaterThanOrEqual(10);
});

it('a control owner may not read the trail (403), and nobody can write it through the API', async () => {
  expect((await client(t.baseUrl, owner)('GET', '/api/audit-trail')).status).toBe(403);
  expect((await client(t.baseUrl, owner)('GET', '/api/audit-trail/verify')).status).toBe(403);
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    expect((await client(t.baseUrl, compliance)(method, '/api/audit-trail', {})).status).toBe(404);
  }
});

it('serves the audit-trail page to a compliance manager', async () => {
  const res = await client(t.baseUrl, compliance)('GET', '/audit-trail?action=auth.login', undefined, {
    accept: 'text/html',
  });
  expect(res.status).toBe(200);
  expect(res.text).toContain('auth.login');
});
