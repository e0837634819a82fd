// Two real server processes (`node dist/src/main.js`) on one PostgreSQL, each with its own DATA_DIR (as on
// two hosts), started together on an empty database, in production mode with the shared secrets from
// `attest keys generate` in their environment: they are interchangeable.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { client, DEMO, login } from '../support/auth';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeDsrService } from '../support/dsr-http-service';
import { unzip } from '../support/demo-platform';
import { childEnv, runCli, type ServerProcess, startServer } from '../support/processes';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let db: TestDatabase;
let pg: Client;
const dirs: string[] = [];
const servers: ServerProcess[] = [];
let envA: NodeJS.ProcessEnv;
let envB: NodeJS.ProcessEnv;
let a: ServerProcess;
let b: ServerProcess;

/**
 * The privacy officer's session, signed in once through B (sessions are shared, so it works on A too):
 * every sign-in counts against LOGIN_RATE_LIMIT, which the test sets low.
 */
let privacyCookie: Promise<string> | undefined;
const privacySession = () => (privacyCookie ??= login(b.baseUrl, DEMO.privacy));

/** `attest keys generate`: KEY=value lines (comments skipped). */
function generatedSecrets(): Record<string, string> {
  const r = runCli(
    ['keys', 'generate', '--organisation', 'Two Instances Co'],
    childEnv(mkdtempSync(join(tmpdir(), 'attest-keys-'))),
  );
  expect(r.status).toBe(0);
  const secrets: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.+)$/.exec(line);
    if (m) secrets[m[1]] = m[2];
  }
  expect(Object.keys(secrets).sort()).toEqual([
    'AUDIT_SIGNING_KEY',
    'DSR_ENCRYPTION_KEYS',
    'SIGNING_P12',
    'SIGNING_P12_PASSWORD',
  ]);
  return secrets;
}

beforeAll(async () => {
  db = await createTestDatabase({ migrated: false }); // empty: the two starts race to migrate it
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  const secrets = generatedSecrets();
  const env = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `attest-two-${name}-`));
    dirs.push(dir);
    return childEnv(dir, {
      ...secrets,
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      DB_POOL_SIZE: '5',
      DEMO: '1',
      DSR_DEMO_PLATFORM: '0',
      DSR_CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', // the test's own HTTP data system
      LOGIN_RATE_LIMIT: '4',
      AUDIT_CHECKPOINT_CRON: 'off',
      SWEEP_CRON: '* * * * *', // both instances fire the weekly sweep every minute
      ORGANISATION_NAME: 'Two Instances Co',
    });
  };
  envA = env('a');
  envB = env('b');
  [a, b] = await Promise.all([startServer(envA, 120_000), startServer(envB, 120_000)]);
  servers.push(a, b);
}, 180_000);

afterAll(async () => {
  for (const s of servers) await s.stop('SIGTERM');
  await pg?.end();
  await db?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('two instances on one database', () => {
  it('both started on the empty database: the migrations ran once, and neither failed', async () => {
    const { rows } = await pg.query(
      `SELECT name, count(*)::int AS n FROM migrations GROUP BY name HAVING count(*) > 1`,
    );
    expect(rows).toEqual([]);
    for (const s of [a, b]) expect((await fetch(`${s.baseUrl}/health`)).status).toBe(200);
    const users = await pg.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [DEMO.compliance]);
    expect(users.rows[0].n).toBe(1);
  });

  it('a pack built through A downloads through B and verifies with the one certificate both show', async () => {
    const onA = client(a.baseUrl, await login(a.baseUrl, DEMO.compliance));
    const onB = client(b.baseUrl, await login(b.baseUrl, DEMO.compliance));
    const [certA, certB] = [
      (await onA('GET', '/api/packs/certificate')).json,
      (await onB('GET', '/api/packs/certificate')).json,
    ];
    expect(certA.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(certB.fingerprintSha256).toBe(certA.fingerprintSha256);
    expect(certA.subject).toContain('Two Instances Co');

    const requested = await onA('POST', '/api/packs', { framework: 'soc2', from: '2026-11-01', to: '2026-11-30' });
    expect(requested.status).toBe(202);
    const id = requested.json.id;
    let view: any;
    for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
      view = (await onB('GET', `/api/packs/${id}`)).json;
      if (view.status === 'done' || view.status === 'failed') break;
    }
    expect(view).toMatchObject({ status: 'done', signerFingerprint: certA.fingerprintSha256 });

    const res = await fetch(`${b.baseUrl}/api/packs/${id}/download`, {
      headers: { cookie: await login(b.baseUrl, DEMO.compliance) },
    });
    expect(res.status).toBe(200);
    const zip = Buffer.from(await res.arrayBuffer());
    expect(sha256(zip)).toBe(view.zip.sha256);
    const file = join(dirs[0], 'downloaded-from-b.zip');
    writeFileSync(file, zip);
    const verified = runCli(['pack', 'verify', file], envA);
    expect(verified.stdout).toMatch(/^ok/);
    expect(verified.status).toBe(0);
    expect((await onA('GET', `/api/packs/${id}/verify`)).json).toMatchObject({ ok: true });
    expect((await onB('GET', `/api/packs/${id}/verify`)).json).toMatchObject({ ok: true });
  }, 180_000);

  it('a DSR created through B is read through A (one key ring), in the request and in the register', async () => {
    const onA = client(a.baseUrl, await privacySession());
    const onB = client(b.baseUrl, await privacySession());
    const created = await onB('POST', '/api/dsr/requests', {
      right: 'access',
      channel: 'email',
      subject: { name: 'สมชาย ใจดี', email: 'somchai@example.co.th' },
    });
    expect(created.status).toBe(201);
    const read = await onA('GET', `/api/dsr/requests/${created.json.id}`);
    expect(read.status).toBe(200);
    expect(read.json.subject).toMatchObject({ name: 'สมชาย ใจดี', email: 'somchai@example.co.th' });
    const list = await onA('GET', '/api/dsr/requests');
    expect(list.status).toBe(200);
    expect(list.json.items.find((r: any) => r.id === created.json.id)).toMatchObject({
      subject: { name: 'สมชาย ใจดี' },
    });
    expect(list.json.items.filter((r: any) => r.unreadable)).toEqual([]);
  });

  it("a DSR exported through B downloads through A: the package is in the database, not on B's disk", async () => {
    const svc = await new FakeDsrService().start();
    try {
      const onA = client(a.baseUrl, await privacySession());
      const onB = client(b.baseUrl, await privacySession());
      expect((await onB('POST', '/api/dsr/systems', svc.definition())).status).toBe(201);
      svc.add('tickets', { email: 'malee@example.co.th', phone: null, text: 'Please send me my data' });
      svc.add('tickets', { email: 'someone.else@example.co.th', phone: null, text: 'Not hers' });
      const created = await onB('POST', '/api/dsr/requests', {
        right: 'access',
        channel: 'email',
        subject: { name: 'มาลี สุขใจ', email: 'malee@example.co.th' },
      });
      expect(created.status).toBe(201);
      const id = created.json.id;
      expect(
        (
          await onA('POST', `/api/dsr/requests/${id}/verify-identity`, {
            method: 'id_document',
            reference: 'ID card seen at the counter',
          })
        ).status,
      ).toBe(200);
      const exported = await onB('POST', `/api/dsr/requests/${id}/export`);
      expect(exported.status).toBe(200);
      expect(exported.json.request).toMatchObject({ exportAvailable: true, lastError: null });
      const stored = await pg.query(`SELECT count(*)::int AS n FROM dsr_export_chunks WHERE request_id = $1`, [id]);
      expect(stored.rows[0].n).toBeGreaterThan(0);
      const underB = readdirSync(dirs[1], { recursive: true }).map(String);
      expect(underB.filter((f) => f.includes('export'))).toEqual([]);

      const res = await fetch(a.baseUrl + exported.json.link.url, { headers: { cookie: await privacySession() } });
      expect(res.status).toBe(200);
      const zip = Buffer.from(await res.arrayBuffer());
      expect(sha256(zip)).toBe(exported.json.request.exportSha256);
      const tickets = (await unzip(zip)).get('systems/support-desk/support_tickets.json')!.toString();
      expect(tickets).toContain('Please send me my data');
      expect(tickets).not.toContain('Not hers');
    } finally {
      await svc.stop();
    }
  });

  it('checkpoints signed through either instance verify from both', async () => {
    const first = runCli(['trail', 'checkpoint'], envA);
    expect(first.stdout).toMatch(/^checkpoint written at entry \d+/);
    const admin = client(b.baseUrl, await login(b.baseUrl, DEMO.admin)); // another entry (sign-in), so B has a new head to sign
    const second = runCli(['trail', 'checkpoint'], envB);
    expect(second.stdout).toMatch(/^checkpoint written at entry \d+/);
    expect(readdirSync(join(envA.DATA_DIR!, 'checkpoints'))).toHaveLength(1);
    expect(readdirSync(join(envB.DATA_DIR!, 'checkpoints'))).toHaveLength(1);
    const fromA = await client(a.baseUrl, await login(a.baseUrl, DEMO.admin))('GET', '/api/audit-trail/verify');
    const fromB = await admin('GET', '/api/audit-trail/verify');
    expect(fromA.json).toMatchObject({ ok: true, checkpoints: 2 });
    expect(fromB.json).toMatchObject({ ok: true, checkpoints: 2 });
  });

  it('the login limit counts the attempts made on both instances', async () => {
    const attempt = (s: ServerProcess) =>
      client(s.baseUrl, null)('POST', '/api/auth/login', { email: DEMO.viewer, password: 'wrong password' });
    const statuses: number[] = [];
    for (const s of [a, b, a, b, a, b]) statuses.push((await attempt(s)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]); // LOGIN_RATE_LIMIT=4 a minute, across both
  });

  it('the weekly sweep, fired on both instances, opens once', async () => {
    // SWEEP_CRON fires every minute on both. The first firing runs the collectors, which takes seconds on a
    // loaded machine: wait for the sweep to exist, then for one more minute's firing on both to pass, then
    // for no instance to hold the job's lock (a firing still running), and only then count.
    const count = async (sql: string) => (await pg.query(sql)).rows[0].n as number;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const until = async (what: string, done: () => Promise<boolean>) => {
      const deadline = Date.now() + 150_000;
      while (!(await done())) {
        if (Date.now() > deadline) {
          const problems = servers.map((s) =>
            s
              .output()
              .split('\n')
              .filter((l) => /ERROR|WARN/.test(l))
              .join('\n'),
          );
          throw new Error(`${what} did not happen within 150 s; the servers said:\n${problems.join('\n---\n')}`);
        }
        await sleep(1_000);
      }
    };
    const jobsRunning = () =>
      count(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = ${0x4a4f4253}`);
    await until('the sweep opening', async () => (await count(`SELECT count(*)::int AS n FROM sweeps`)) > 0);
    await sleep(61_000 - (Date.now() % 60_000) + 2_000);
    await until('the last firing finishing', async () => (await jobsRunning()) === 0);

    expect(await count(`SELECT count(*)::int AS n FROM sweeps`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'sweep.open'`)).toBe(1);
    const tasks = await pg.query(
      `SELECT control_id, count(*)::int AS n FROM sweep_tasks GROUP BY control_id HAVING count(*) > 1`,
    );
    expect(tasks.rows).toEqual([]);
  }, 400_000);
});
