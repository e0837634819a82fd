// Audit packs with BLOB_STORE=filesystem (issue 15): the build hashed its ZIP and PDF as it wrote them, so
// the store links those very files into BLOB_DIR instead of reading and hashing them again. Checked: the
// files under BLOB_DIR hold exactly the bytes their hashes name (owner-only, no second name left in the
// build's scratch folder), the download is the stored ZIP, and `GET /api/packs/:id/verify` says ok.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PackBuilder } from '../../src/audit-packs/pack-builder.service';
import { PACK_ZIP_NAME } from '../../src/audit-packs/pack-files.service';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let api: ReturnType<typeof client>;
let cookie: string;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', BLOB_STORE: 'filesystem' } });
  cookie = await login(t.baseUrl, DEMO.compliance);
  api = client(t.baseUrl, cookie);
});
afterAll(async () => t?.close());

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

it('stores the built ZIP and PDF under BLOB_DIR as the very files written, with the hashes stated', async () => {
  const form = new FormData();
  const fields = {
    title: 'Access review',
    controls: 'ACC-01',
    evidenceDate: '2026-11-10',
    periodStart: '2026-11-01',
    periodEnd: '2026-11-30',
  };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([Buffer.from('%PDF-1.7\n' + 'x'.repeat(5000))]), 'review.pdf');
  const up = await fetch(`${t.baseUrl}/api/evidence`, { method: 'POST', headers: { cookie }, body: form });
  expect([up.status, await up.text()]).toEqual([201, expect.any(String)]);

  const { id } = (await api('POST', '/api/packs', { framework: 'soc2', from: '2026-11-01', to: '2026-11-30' })).json;
  const builder = t.app.get(PackBuilder);
  // When the build says done, its files are stored and its scratch folder not yet removed: the ZIP there
  // and the blob under BLOB_DIR must be one file (one inode, two names), not a copy.
  let scratch: { ino: number; nlink: number } | null = null;
  const row = await builder.buildNow(id, (p) => {
    if (p.stage !== 'done') return;
    const [folder] = readdirSync(join(builder.packsDir, id));
    const { ino, nlink } = statSync(join(builder.packsDir, id, folder, PACK_ZIP_NAME));
    scratch = { ino, nlink };
  });
  expect(row).toMatchObject({ status: 'done' });
  const view = (await api('GET', `/api/packs/${id}`)).json;
  const zipBlob = statSync(
    join(t.config.blobDir, view.zip.sha256.slice(0, 2), view.zip.sha256.slice(2, 4), view.zip.sha256),
  );
  expect(scratch).toEqual({ ino: zipBlob.ino, nlink: 2 });

  for (const file of [view.zip, view.pdf]) {
    const path = join(t.config.blobDir, file.sha256.slice(0, 2), file.sha256.slice(2, 4), file.sha256);
    const bytes = readFileSync(path);
    expect({ sha256: sha256(bytes), bytes: bytes.length }).toEqual({ sha256: file.sha256, bytes: file.bytes });
    const stat = statSync(path);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(stat.nlink).toBe(1); // the scratch name is gone: the blob's is the only one
  }
  expect(existsSync(join(builder.packsDir, id))).toBe(false);

  const res = await fetch(`${t.baseUrl}/api/packs/${id}/download`, { headers: { cookie } });
  expect(res.status).toBe(200);
  expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(view.zip.sha256);
  const verified = await api('GET', `/api/packs/${id}/verify`);
  expect(verified.status).toBe(200);
  expect(verified.json).toMatchObject({ ok: true });
});
