// Keys every instance must share: production refuses to start without them (naming the variable), and an
// instance that meets data made with a key it does not hold says so for that row only (503 naming the key).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { KeyRing } from '../../src/common/crypto/key-ring';
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

  it.each(['DSR_ENCRYPTION_KEYS', 'AUDIT_SIGNING_KEY', 'SIGNING_P12'])(
    'stops without %s, with one line naming it',
    (missing) => {
      const env = childEnv(dir(), { NODE_ENV: 'production', ...generated });
      delete env[missing];
      const r = runMain(env);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^Invalid configuration: ${missing} must be set when NODE_ENV=production`)),
      ]);
      for (const value of Object.values(generated)) expect(r.stderr).not.toContain(value);
    },
  );
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
    const readable = await privacy('POST', '/api/dsr/requests', {
      right: 'access',
      channel: 'email',
      subject: { name: 'Readable Person', email: 'readable@example.com' },
    });
    const foreign = await privacy('POST', '/api/dsr/requests', {
      right: 'access',
      channel: 'email',
      subject: { name: 'Foreign Person', email: 'foreign@example.com' },
    });
    expect([readable.status, foreign.status]).toEqual([201, 201]);
    // As another instance with its own key ring would have written it.
    const token = stranger.encryptJson(
      {
        subject: { name: 'Foreign Person', email: 'foreign@example.com', phone: null, nationalId: null },
        requester: null,
        changes: null,
      },
      `dsr:${foreign.json.id}`,
    );
    await pg.query(`UPDATE dsr_requests SET protected_enc = $2 WHERE id = $1`, [foreign.json.id, token]);

    const list = await privacy('GET', '/api/dsr/requests?limit=100');
    expect(list.status).toBe(200);
    const byId = new Map(list.json.items.map((r: any) => [r.id, r]));
    expect(byId.get(readable.json.id)).toMatchObject({ subject: { name: 'Readable Person' } });
    expect(byId.get(foreign.json.id)).toMatchObject({
      reference: foreign.json.reference,
      unreadable: { code: 'crypto.key_unknown', keyId: 'k9' },
    });
    expect((byId.get(foreign.json.id) as any).subject).toBeUndefined();

    const one = await privacy('GET', `/api/dsr/requests/${foreign.json.id}`);
    expect(one.status).toBe(503);
    expect(one.headers.get('content-type')).toContain('application/problem+json');
    expect(one.json).toMatchObject({
      status: 503,
      code: 'crypto.key_unknown',
      keyId: 'k9',
      detail: expect.stringContaining('key k9'),
    });

    const page = await fetch(`${t.baseUrl}/dsr`, { headers: { cookie: await login(t.baseUrl, DEMO.privacy) } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Readable Person');
    expect(html).toContain('Encrypted with key k9, which this server does not have.');
  });
});

describe('attest keys rotate / reencrypt', () => {
  let t: TestApp;
  let pg: Client;
  const k1 = `k1:${randomBytes(32).toString('base64')}`;
  const k2 = `k2:${randomBytes(32).toString('base64')}`;
  const keyIds = async () =>
    (
      await pg.query(
        `SELECT split_part(protected_enc, '.', 2) AS k, count(*)::int AS n FROM dsr_requests GROUP BY 1 ORDER BY 1`,
      )
    ).rows;

  beforeAll(async () => {
    t = await startTestApp({ env: { DEMO: '1', DSR_ENCRYPTION_KEYS: k1 } });
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();
    const privacy = client(t.baseUrl, await login(t.baseUrl, DEMO.privacy));
    for (let i = 0; i < 5; i++) {
      const r = await privacy('POST', '/api/dsr/requests', {
        right: 'access',
        channel: 'email',
        subject: { name: `Person ${i}`, email: `p${i}@example.com` },
      });
      expect(r.status).toBe(201);
      if (i === 0)
        expect(
          (
            await privacy('POST', `/api/dsr/requests/${r.json.id}/verify-identity`, {
              method: 'id_document',
              reference: 'ticket 4711',
            })
          ).status,
        ).toBe(200);
    }
  }, 120_000);
  afterAll(async () => {
    await pg?.end();
    await t?.close();
  });

  const cli = (args: string[], keys: string) =>
    runCli(args, {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: t.db.url,
      DATA_DIR: t.config.dataDir,
      DSR_ENCRYPTION_KEYS: keys,
      LOG_LEVEL: 'warn',
      JOBS_ENABLED: 'false',
    });

  it('with DSR_ENCRYPTION_KEYS, rotate prints the new value to deploy: a new key first, the old one kept', () => {
    const r = cli(['keys', 'rotate'], k1);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^DSR_ENCRYPTION_KEYS=k\\d{8}-[0-9a-f]{4}:[A-Za-z0-9+/=]{44},${k1.replace(/[+/]/g, '\\$&')}$`, 'm'),
    );
  });

  it('re-encrypts every value with the new current key, resuming after an interruption, and the data still reads', async () => {
    expect(await keyIds()).toEqual([{ k: 'k1', n: 5 }]);
    const interrupted = cli(['keys', 'reencrypt', '--limit', '2'], `${k2},${k1}`);
    expect(interrupted.stdout).toMatch(/^re-encrypted 2 DSR value\(s\) with the current key; 4 still under older keys/); // 5 identities + 1 verification reference
    expect(interrupted.status).toBe(1);
    const rest = cli(['keys', 'reencrypt'], `${k2},${k1}`);
    expect(rest.stdout).toMatch(/^re-encrypted 4 DSR value\(s\) with the current key; 0 still under older keys/);
    expect(rest.status).toBe(0);
    expect(await keyIds()).toEqual([{ k: 'k2', n: 5 }]);
    expect(
      (await pg.query(`SELECT count(*)::int AS n FROM dsr_requests WHERE verification_reference_enc LIKE 'v1.k2.%'`))
        .rows[0].n,
    ).toBe(1);
    // Idempotent: nothing left to do.
    expect(cli(['keys', 'reencrypt'], `${k2},${k1}`).stdout).toMatch(/^re-encrypted 0 .*; 0 still/);
    // Readable with the new key alone.
    const ring = new KeyRing([{ id: 'k2', key: Buffer.from(k2.slice(3), 'base64') }]);
    const { rows } = await pg.query(`SELECT id, protected_enc FROM dsr_requests ORDER BY received_at`);
    const names = rows
      .map((r) => ring.decryptJson<{ subject: { name: string } }>(r.protected_enc, `dsr:${r.id}`).subject.name)
      .sort();
    expect(names).toEqual(['Person 0', 'Person 1', 'Person 2', 'Person 3', 'Person 4']);
  });

  it('with the key file, rotate adds a key to it and re-encrypts at once', () => {
    const dataDir = dir();
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: t.db.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      JOBS_ENABLED: 'false',
    };
    delete (env as Record<string, string | undefined>).DSR_ENCRYPTION_KEYS;
    const r = runCli(['keys', 'rotate'], env);
    expect(r.stdout).toMatch(/^added key k2 to .*dsr-encryption\.json \(keys: k2, k1\)/);
    // The re-encryption ran at once (this database's values are all under the current id already: nothing to do).
    expect(r.stdout).toContain('re-encrypted 0 DSR value(s) with the current key; 0 still under older keys');
    expect(r.status).toBe(0);
    const file = JSON.parse(readFileSync(join(dataDir, 'keys', 'dsr-encryption.json'), 'utf8'));
    expect(file.keys.map((k: { id: string }) => k.id)).toEqual(['k2', 'k1']);
    expect(statSync(join(dataDir, 'keys', 'dsr-encryption.json')).mode & 0o777).toBe(0o600);
  });
});
