// Storage running out (issue 20): an upload that cannot fit in the space left — its staged copy, its stored
// copy when that lands on the same filesystem, and STORAGE_RESERVE_BYTES — is refused with 507
// `storage.full` (problem+json naming `file`, Retry-After) before a byte is staged, and /health tells an
// admin that storage is low while keeping the instance in service. The reserve is set above the free space
// measured now (with a 10 GiB margin, so other tests writing meanwhile cannot make it fit).
import { statfsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/app';
import { DEMO, login } from '../support/auth';

let t: TestApp;
let db: Client;
const GiB = 1024 ** 3;

beforeAll(async () => {
  const s = statfsSync(tmpdir());
  const reserve = s.bavail * s.bsize + 10 * GiB;
  t = await startTestApp({ env: { DEMO: '1', STORAGE_RESERVE_BYTES: String(reserve) } });
  db = new Client({ connectionString: t.db.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await t?.close();
});

it('refuses an upload that cannot fit before staging it: 507 storage.full naming file, with Retry-After', async () => {
  const before = Number((await db.query('SELECT count(*) FROM evidence')).rows[0].count);
  const form = new FormData();
  form.append('title', 'Firewall export');
  form.append('controls', 'ENG-01');
  form.append('evidenceDate', '2026-11-20');
  form.append('file', new Blob([Buffer.from('%PDF-1.7\n' + 'x'.repeat(5000))]), 'export.pdf');
  const res = await fetch(`${t.baseUrl}/api/evidence`, {
    method: 'POST',
    headers: { cookie: await login(t.baseUrl, DEMO.owner) },
    body: form,
  });
  expect(res.status).toBe(507);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  const problem = (await res.json()) as { code: string; errors: { field: string }[]; detail: string };
  expect(problem.code).toBe('storage.full');
  expect(problem.errors.map((e) => e.field)).toEqual(['file']);
  expect(problem.detail).toMatch(/not enough storage space for this upload/);
  expect(readdirSync(join(t.config.dataDir, 'tmp', 'uploads'))).toEqual([]);
  expect(Number((await db.query('SELECT count(*) FROM evidence')).rows[0].count)).toBe(before);
});

it('reports low storage to an admin in /health while the instance stays in service', async () => {
  expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
  const res = await fetch(`${t.baseUrl}/health`, { headers: { cookie: await login(t.baseUrl, DEMO.admin) } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { status: string; details: { storage: Record<string, unknown> } };
  expect(body.status).toBe('ok');
  expect(body.details.storage).toMatchObject({ status: 'up', low: true });
});
