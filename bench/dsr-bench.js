// DSR at scale: builds the demo patient platform with PEOPLE synthetic patients (default 1,000,000, about
// 5.5 related rows each) on a throwaway embedded PostgreSQL (or DATABASE_URL's server), then times one
// subject's export, erasure and residue check through PostgresConnector with the shipped map, and a full
// `attest dsr drill --json` when the CLI has it. Prints figures; asserts nothing.
require('reflect-metadata');
const { spawnSync } = require('node:child_process');
const { chmodSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');

const root = join(__dirname, '..');
const dist = join(root, 'dist', 'src');
const { EmbeddedCluster } = require(join(dist, 'postgres', 'embedded-cluster'));
const { createDemoPlatform, ensureDemoPlatformDatabase } = require(join(dist, 'dsr', 'demo-platform', 'demo-platform'));
const { DEMO_TABLE_NAMES } = require(join(dist, 'dsr', 'demo-platform', 'demo-platform.sql'));
const { PostgresConnector } = require(join(dist, 'dsr', 'connectors', 'postgres.connector'));
const { parseDataSystemYaml } = require(join(dist, 'dsr', 'domain', 'data-map'));

const PEOPLE = Number(process.env.PEOPLE ?? 1_000_000);
const fmt = (n) => n.toLocaleString('en-US');
const line = (label, value) => console.log(`${label.padEnd(44)} ${value}`);

async function timed(fn) {
  const t = performance.now();
  const value = await fn();
  return { value, ms: Math.round(performance.now() - t) };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'attest-dsr-bench-'));
  chmodSync(work, 0o755); // as root, PostgreSQL runs as the postgres user and must enter the directory
  const cluster = process.env.DATABASE_URL
    ? null
    : new EmbeddedCluster({ dataDir: join(work, 'pg'), throwaway: true, maxConnections: 50 });
  const adminUrl = process.env.DATABASE_URL ?? (await cluster.start()).url;
  const own = new URL(adminUrl).pathname.slice(1) || 'attest';
  let connector;
  try {
    // The name the server's demo bootstrap uses next to its own database, so a drill finds this platform.
    const url = await ensureDemoPlatformDatabase(adminUrl, `${own}_platform`.slice(0, 63));
    console.log(
      `Attest DSR bench: ${fmt(PEOPLE)} patients, ${require('node:os').cpus().length} cores, node ${process.version}, ${cluster ? 'embedded PostgreSQL (throwaway settings)' : 'DATABASE_URL'}`,
    );

    const build = await timed(() => createDemoPlatform(url, { people: PEOPLE }));
    const db = new Client({ connectionString: url });
    await db.connect();
    const counts = {};
    for (const t of DEMO_TABLE_NAMES) counts[t] = Number((await db.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    const related = Object.entries(counts)
      .filter(([t]) => t !== 'patients')
      .reduce((s, [, n]) => s + n, 0);
    line(
      build.value.seeded ? 'build platform (tables, seed, FKs, indexes)' : 'platform already there',
      `${fmt(build.ms)} ms`,
    );
    line('  patients / related rows', `${fmt(counts.patients)} / ${fmt(related)}`);
    line(
      '  related rows by table',
      Object.entries(counts)
        .filter(([t]) => t !== 'patients')
        .map(([t, n]) => `${t} ${fmt(n)}`)
        .join(', '),
    );
    const analyze = await timed(() => db.query('VACUUM ANALYZE'));
    line('VACUUM ANALYZE', `${fmt(analyze.ms)} ms`);

    // A subject from the middle of the platform, found by all three keys.
    const id = Math.max(4, Math.floor(PEOPLE / 8) * 4); // a multiple of 4: two appointments and a community post
    const p = (await db.query('SELECT email, phone, national_id FROM patients WHERE id = $1', [id])).rows[0];
    // The floor: one indexed statement finding the subject, on the same server (best of three).
    const floors = [];
    for (let i = 0; i < 3; i++)
      floors.push((await timed(() => db.query('SELECT * FROM patients WHERE email = $1', [p.email]))).ms);
    await db.end();
    const keys = { email: p.email, phone: p.phone, nationalId: p.national_id };

    const map = parseDataSystemYaml(
      readFileSync(join(root, 'controls', 'data-systems', 'patient-platform.yaml'), 'utf8'),
      { secretsSupplied: true },
    );
    connector = new PostgresConnector(map, { url });
    const check = await timed(() => connector.check());
    line('check() (catalog lookup of every identifier)', `${fmt(check.ms)} ms`);
    const exports = [];
    for (let i = 0; i < 3; i++) exports.push(await timed(() => connector.export(keys)));
    const rows = exports[0].value.tables.reduce((s, t) => s + t.rows.length, 0);
    line(
      'export one subject (1st / 2nd / 3rd)',
      `${exports.map((e) => e.ms).join(' / ')} ms   (${rows} rows in ${exports[0].value.tables.length} tables)`,
    );
    const erase = await timed(() => connector.erase(keys));
    line(
      'erase one subject (one transaction)',
      `${fmt(erase.ms)} ms   (${erase.value.map((e) => `${e.table} ${e.rule} ${e.rows}`).join(', ')})`,
    );
    const residue = await timed(() => connector.residue(keys));
    line(
      'residue check after erasure',
      `${fmt(residue.ms)} ms   (${residue.value.filter((r) => !r.retained).reduce((s, r) => s + r.rows, 0)} rows outside retained tables)`,
    );
    const drillKeys = { email: 'bench.drill@drill.attest.invalid', phone: '66990009999', nationalId: '9990000099990' };
    const cycle = await timed(async () => {
      const seed = await connector.seed(drillKeys);
      await connector.export(drillKeys);
      await connector.erase(drillKeys);
      const r = await connector.residue(drillKeys, seed);
      await connector.removeSeed(seed);
      return r;
    });
    line('connector drill cycle (seed…removeSeed)', `${fmt(cycle.ms)} ms`);
    await connector.close();
    connector = null;

    drill(adminUrl, work);
    // Last line: the best export against the floor (sub-millisecond floors count as 1 ms: timed() rounds).
    const best = Math.min(...exports.map((e) => e.ms));
    const floor = Math.max(1, Math.min(...floors));
    console.log(
      `export one subject: ${best} ms (best of 3), ${(best / floor).toFixed(1)}x its floor (one indexed SELECT of the subject's patient row, ${floor} ms)`,
    );
  } finally {
    if (connector) await connector.close();
    if (cluster) await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** `attest dsr drill --json` against this cluster (its demo bootstrap finds the platform built above). */
function drill(adminUrl, work) {
  const cli = join(dist, 'cli.js');
  const env = {
    ...process.env,
    DATABASE_URL: adminUrl,
    DATA_DIR: join(work, 'data'),
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
    DSR_DEMO_PLATFORM: 'true',
  };
  const help = spawnSync(process.execPath, [cli, 'dsr', 'drill', '--help'], { env, encoding: 'utf8' });
  if (help.status !== 0) {
    line('full drill (attest dsr drill --json)', 'not available yet');
    return;
  }
  const t = performance.now();
  const run = spawnSync(process.execPath, [cli, 'dsr', 'drill', '--json'], { env, encoding: 'utf8', timeout: 600_000 });
  const ms = Math.round(performance.now() - t);
  let report = null;
  try {
    report = JSON.parse(run.stdout.trim().split('\n').pop());
  } catch {
    // printed below
  }
  if (!report) {
    line(
      'full drill (attest dsr drill --json)',
      `failed to run (exit ${run.status}): ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    );
    return;
  }
  line(
    'full drill (attest dsr drill --json)',
    `${fmt(ms)} ms wall, ${fmt(report.durationMs)} ms reported; ${report.passed ? 'passed' : 'FAILED'}`,
  );
  for (const s of report.systems ?? [])
    line(
      `  ${s.system}`,
      JSON.stringify({ status: s.status, seeded: s.seeded, exported: s.exported, residue: s.residue }),
    );
  for (const f of report.failures ?? []) line('  failure', f);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
