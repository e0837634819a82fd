// `attest dsr drill --json` as a user runs it: the built CLI as a process on a real database, with the
// demo patient platform created next to it. Exit 0 and a passed report; exit 1 naming the table a
// deliberately incomplete map missed.
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../support/database';
import { runCli } from '../support/processes';

let db: TestDatabase;
const env = () => ({
  ...process.env,
  DATABASE_URL: db.url,
  DEMO: '1',
  DSR_DEMO_PLATFORM: '1',
  LOG_LEVEL: 'warn',
  DATA_DIR: `/tmp/attest-cli-dsr-${process.pid}`,
});

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  const admin = new Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${db.name}_platform" WITH (FORCE)`);
  await admin.end();
  await db.drop();
});

describe('attest dsr drill', () => {
  it('passes on the demo platform and prints the report as JSON', () => {
    const r = runCli(['dsr', 'drill', '--json'], env());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      passed: true,
      exportComplete: true,
      residue: 0,
      failures: [],
      durationMs: expect.any(Number),
    });
    expect(report.systems).toEqual([
      expect.objectContaining({ system: 'patient-platform', status: 'drilled', seeded: 7, missing: [], residue: 0 }),
    ]);
  });

  it('fails with exit 1 and names the table an incomplete map misses', async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query(
      `UPDATE data_systems SET definition = jsonb_set(definition, '{postgres,tables}',
         (SELECT jsonb_agg(t) FROM jsonb_array_elements(definition->'postgres'->'tables') t WHERE t->>'table' <> 'newsletter_subscriptions'))
       WHERE key = 'patient-platform'`,
    );
    await c.end();
    const r = runCli(['dsr', 'drill', '--json'], env());
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.passed).toBe(false);
    expect(report.failures.join('\n')).toContain('newsletter_subscriptions');
    const text = runCli(['dsr', 'drill'], env());
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/FAILED[\s\S]*newsletter_subscriptions/);
  });
});
