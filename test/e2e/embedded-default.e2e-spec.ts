// `npm start` with nothing configured: the built server on the embedded PostgreSQL under DATA_DIR, the
// CLI sharing it, restarts keeping data, clean shutdown, crash recovery, and fail-fast configuration.
import { client, DEMO, login } from '../support/auth';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json } from '../support/http';
import {
  childEnv,
  embeddedClient,
  embeddedRunning,
  runCli,
  runMain,
  ServerProcess,
  startServer,
} from '../support/processes';

const dirs: string[] = [];
const servers: ServerProcess[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'attest-e2e-data-'));
  dirs.push(d);
  return d;
}
async function server(dir: string): Promise<ServerProcess> {
  const s = await startServer(childEnv(dir));
  servers.push(s);
  return s;
}
afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL');
  for (const d of dirs) {
    // A test that failed half-way may leave a cluster whose owner was killed: the CLI adopts it and
    // stops it when it exits.
    if (embeddedRunning(d)) runCli(['health'], childEnv(d));
    rmSync(d, { recursive: true, force: true });
  }
});

/** GET /health; the details (database target, versions) only come with a signed-in admin's cookie. */
const health = async (baseUrl: string, cookie?: string) => {
  const res = await fetch(`${baseUrl}/health`, { headers: cookie ? { cookie } : {} });
  return { status: res.status, body: await json(res) };
};

describe('the embedded default', () => {
  const dir = dataDir();
  let s: ServerProcess;

  it('starts with nothing configured and reports healthy', async () => {
    s = await server(dir);
    const h = await health(s.baseUrl, await login(s.baseUrl, DEMO.admin));
    expect(h.status).toBe(200);
    expect(h.body.details.database.target).toContain(join(dir, 'postgres'));
    expect(h.body.details.migrations.pending).toBe(0);
    // Demo data includes the demo patient platform, registered as a data system, so DSRs work at once.
    const privacy = client(s.baseUrl, await login(s.baseUrl, DEMO.privacy));
    const systems = await privacy('GET', '/api/dsr/systems');
    expect(systems.json).toEqual([
      expect.objectContaining({ key: 'patient-platform', kind: 'postgres', active: true }),
    ]);
    // The pack-signing certificate is made at first start, so its fingerprint can be shown before any pack.
    const signer = await client(s.baseUrl, await login(s.baseUrl, DEMO.compliance))('GET', '/api/packs/certificate');
    expect(signer.json).toMatchObject({ selfSigned: true, fingerprintSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(statSync(join(dir, 'keys', 'pack-signing.p12')).mode & 0o777).toBe(0o600);
  });

  it('lets the CLI use the same database while the server runs, and leaves it running', async () => {
    const r = runCli(['health'], childEnv(dir));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^health: ok/);
    expect(r.stdout).toContain(join(dir, 'postgres'));
    expect(embeddedRunning(dir)).toBe(true);
    expect((await health(s.baseUrl)).status).toBe(200);
  });

  it('stops cleanly on SIGTERM, stopping the embedded database too', async () => {
    const client = await embeddedClient(dir);
    await client.query(`INSERT INTO job_runs (name, key) VALUES ('restart-check', 'restart-check:1')`);
    await client.end();
    expect(await s.stop('SIGTERM')).toBe(0);
    expect(embeddedRunning(dir)).toBe(false);
  });

  it('keeps the data across a restart', async () => {
    s = await server(dir);
    expect((await health(s.baseUrl)).status).toBe(200);
    const client = await embeddedClient(dir);
    const { rows } = await client.query(`SELECT key FROM job_runs WHERE name = 'restart-check'`);
    await client.end();
    expect(rows).toEqual([{ key: 'restart-check:1' }]);
  });

  it('recovers after the server is killed: the next start adopts the cluster and stops it later', async () => {
    expect(await s.stop('SIGKILL')).toBeNull();
    expect(embeddedRunning(dir)).toBe(true); // PostgreSQL outlives a kill -9 of its owner…
    s = await server(dir); // …and the next start takes it over
    expect((await health(s.baseUrl)).status).toBe(200);
    expect(await s.stop('SIGTERM')).toBe(0);
    expect(embeddedRunning(dir)).toBe(false);
  });
});

describe('the CLI without a running server', () => {
  it('starts the embedded database itself, migrates, and stops it again', () => {
    const dir = dataDir();
    const r = runCli(['migrate'], childEnv(dir));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Applied \d+ migration\(s\):/);
    expect(r.stdout).toContain('CreateJobRuns');
    expect(embeddedRunning(dir)).toBe(false);
    const again = runCli(['migrate'], childEnv(dir));
    expect(again.stdout).toContain('no migration to apply');
  });

  it('says clearly when the postgres OS user cannot reach DATA_DIR', () => {
    if (process.getuid?.() !== 0) return; // only root hands the cluster to the postgres user
    const parent = dataDir(); // mkdtemp: mode 0700, owned by root
    const r = runCli(['migrate'], childEnv(join(parent, 'data')));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot reach ${join(parent, 'data')}: ${parent} is not searchable by it`);
  });

  it('answers an unknown command with its usage and exit code 1', () => {
    const r = runCli(['frobnicate'], childEnv(dataDir()));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('configuration', () => {
  it.each([
    ['PORT', 'abc'],
    ['LOG_LEVEL', 'chatty'],
    ['DATABASE_URL', 'mysql://root:pw@db/x'],
  ])('stops start-up on %s=%s with one line naming the variable', (variable, value) => {
    const r = runMain(childEnv(dataDir(), { [variable]: value }));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(lines[0]).not.toContain('pw@');
  });
});
