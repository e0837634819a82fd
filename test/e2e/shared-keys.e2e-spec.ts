// Keys every instance must share: production refuses to start without them (naming the variable), and an
// instance that meets data made with a key it does not hold says so for that row only (503 naming the key).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { KeyRing } from '../../src/dsr/crypto/key-ring';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { childEnv, runCli, runMain } from '../support/processes';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'attest-keys-e2e-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('production start', () => {
  const generated: Record<string, string> = {};
  beforeAll(() => {
    const r = runCli(['keys', 'generate'], childEnv(dir()));
    expect(r.status).toBe(0);
    for (const m of r.stdout.matchAll(/^([A-Z0-9_]+)=(.+)$/gm)) generated[m[1]] = m[2];
  });

  it.each(['DSR_ENCRYPTION_KEYS', 'AUDIT_SIGNING_KEY', 'SIGNING_P12'])('stops without %s, with one line naming it', (missing) => {
    const env = childEnv(dir(), { NODE_ENV: 'production', ...generated });
    delete env[missing];
    const r = runMain(env);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^Invalid configuration: ${missing} must be set when NODE_ENV=production`))]);
    for (const value of Object.values(generated)) expect(r.stderr).not.toContain(value);
  });
});

describe('a DSR row encrypted with a key this instance does not hold', () => {
  let t: TestApp;
  let pg: Client;
  let privacy: ReturnType<typeof client>;
  const stranger = new KeyRing([{ id: 'k9', key: randomBytes(32) }]);

  beforeAll(async () => {
    t = await startTestApp({ env: { DEMO: '1', DSR_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` } });
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();
    privacy = client(t.baseUrl, await login(t.baseUrl, DEMO.privacy));
  }, 120_000);
  afterAll(async () => {
    await pg?.end();
    await t?.close();
  });

  it('is listed as unreadable (naming the key) while the others show; opening it is 503 naming the key; the register page renders', async () => {
    const readable = await privacy('POST', '/api/dsr/requests', { right: 'access', channel: 'email', subject: { name: 'Readable Person', email: 'readable@example.com' } });
    const foreign = await privacy('POST', '/api/dsr/requests', { right: 'access', channel: 'email', subject: { name: 'Foreign Person', email: 'foreign@example.com' } });
    expect([readable.status, foreign.status]).toEqual([201, 201]);
    // As another instance with its own key ring would have written it.
    const token = stranger.encryptJson({ subject: { name: 'Foreign Person', email: 'foreign@example.com', phone: null, nationalId: null }, requester: null, changes: null }, `dsr:${foreign.json.id}`);
    await pg.query(`UPDATE dsr_requests SET protected_enc = $2 WHERE id = $1`, [foreign.json.id, token]);

    const list = await privacy('GET', '/api/dsr/requests?limit=100');
    expect(list.status).toBe(200);
    const byId = new Map(list.json.items.map((r: any) => [r.id, r]));
    expect(byId.get(readable.json.id)).toMatchObject({ subject: { name: 'Readable Person' } });
    expect(byId.get(foreign.json.id)).toMatchObject({ reference: foreign.json.reference, unreadable: { code: 'crypto.key_unknown', keyId: 'k9' } });
    expect((byId.get(foreign.json.id) as any).subject).toBeUndefined();

    const one = await privacy('GET', `/api/dsr/requests/${foreign.json.id}`);
    expect(one.status).toBe(503);
    expect(one.headers.get('content-type')).toContain('application/problem+json');
    expect(one.json).toMatchObject({ status: 503, code: 'crypto.key_unknown', keyId: 'k9', detail: expect.stringContaining('key k9') });

    const page = await fetch(`${t.baseUrl}/dsr`, { headers: { cookie: await login(t.baseUrl, DEMO.privacy) } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Readable Person');
    expect(html).toContain('Encrypted with key k9, which this server does not have.');
  });
});
