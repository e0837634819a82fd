// `attest incident list` as a user runs it: the built CLI as a process on a real database with incidents
// reported through the service; the table and the JSON list items, --open leaving out closed ones.
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../support/database';
import { runCli } from '../support/processes';

let db: TestDatabase;
const env = () => ({
  ...process.env,
  DATABASE_URL: db.url,
  DEMO: '1',
  LOG_LEVEL: 'warn',
  DATA_DIR: `/tmp/attest-cli-incident-${process.pid}`,
});

beforeAll(async () => {
  db = await createTestDatabase();
  // Migrate and seed the demo users through the CLI, then add two incidents by SQL.
  expect(runCli(['incident', 'list'], env()).stdout.trim()).toBe('No incidents.');
  const c = new Client({ connectionString: db.url });
  await c.connect();
  const { rows } = await c.query(`SELECT id FROM users WHERE email = 'compliance@demo.local'`);
  const insert = (title: string, severity: string, status: string, closedAt: string | null) =>
    c.query(
      `INSERT INTO incidents (number, source, title, description, status, severity, categories, personal_data,
         clinical_safety, detected_at, aware_at, reporter_user_id, reporter_role, affected_systems, products, customers, closed_at)
       VALUES ((SELECT coalesce(max(number), 0) + 1 FROM incidents), 'form', $1, 'd', $2, $3, '{availability}', false, false,
         now() - interval '1 hour', now() - interval '1 hour', $4, 'compliance_manager', '{}', '{}', '{}', $5)
       RETURNING id`,
      [title, status, severity, rows[0].id, closedAt],
    );
  const open = await insert('Checkout API down', 'SEV2', 'detect', null);
  await c.query(
    `INSERT INTO incident_severity_changes (incident_id, severity, at, actor, reason) VALUES ($1, 'SEV2', now() - interval '1 hour', 'user:x', 'as reported')`,
    [open.rows[0].id],
  );
  await insert('Old false alarm', 'SEV4', 'closed', new Date().toISOString());
  await c.end();
});
afterAll(async () => db?.drop());

describe('attest incident list', () => {
  it('prints a table with the next clock in the compliance zone', () => {
    const r = runCli(['incident', 'list'], env());
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^REF\s+SEV\s+STATUS\s+TITLE\s+AWARE \(ICT\)\s+NEXT CLOCK$/);
    expect(lines).toHaveLength(3);
    expect(r.stdout).toMatch(
      /INC-0001\s+SEV2\s+detect\s+Checkout API down\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Acknowledged: .* \(running\)/,
    );
    expect(r.stdout).toContain('Old false alarm');
  });

  it('--open --json prints the open list items only', () => {
    const r = runCli(['incident', 'list', '--open', '--json'], env());
    expect(r.status).toBe(0);
    const items = JSON.parse(r.stdout);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ ref: 'INC-0001', severity: 'SEV2', status: 'detect', title: 'Checkout API down' });
    expect(items[0].clocks.find((c: { key: string }) => c.key === 'acknowledge').state).toBe('running');
    expect(items[0]).not.toHaveProperty('reporter');
  });
});
