// Opens a sweep for CONTROLS weekly controls owned by OWNERS people across the departments, and prints
// how long the opening took (collectors, tasks, notifications, audit entry, in one transaction).
require('reflect-metadata');
const { mkdtempSync, mkdirSync, writeFileSync, copyFileSync, rmSync, chmodSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');

const dist = join(__dirname, '..', 'dist', 'src');
const { EmbeddedCluster } = require(join(dist, 'postgres', 'embedded-cluster'));
const { loadConfig } = require(join(dist, 'config', 'config'));
const { createApp } = require(join(dist, 'configure-app'));
const { SweepLifecycleService } = require(join(dist, 'sweeps', 'sweep-lifecycle.service'));

const CONTROLS = Number(process.env.CONTROLS ?? 5000);
const OWNERS = Number(process.env.OWNERS ?? 500);
const DEPARTMENTS = [
  'compliance',
  'provider-ops',
  'clinical',
  'privacy',
  'trust-safety',
  'engineering',
  'support',
  'finance',
  'content',
  'partnerships',
  'hms-ops',
];

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'attest-sweep-bench-'));
  chmodSync(work, 0o755);
  const catalogDir = join(work, 'controls');
  mkdirSync(join(catalogDir, 'frameworks'), { recursive: true });
  mkdirSync(join(catalogDir, 'controls'), { recursive: true });
  copyFileSync(join(__dirname, '..', 'controls', 'departments.yaml'), join(catalogDir, 'departments.yaml'));
  const refs = Array.from({ length: 100 }, (_, i) => `R${i + 1}`);
  writeFileSync(
    join(catalogDir, 'frameworks', 'bench.yaml'),
    `framework: bench\nname: Bench\nversion: "1"\nrequirements:\n${refs.map((r) => `  - { ref: ${r}, group: G, title: Requirement ${r} }`).join('\n')}\n`,
  );
  const perFile = 1000;
  for (let f = 0; f * perFile < CONTROLS; f++) {
    const lines = ['controls:'];
    for (let i = f * perFile; i < Math.min(CONTROLS, (f + 1) * perFile); i++) {
      const key = `B${String.fromCharCode(65 + Math.floor(i / 1000))}-${String(i % 1000).padStart(3, '0')}`;
      lines.push(
        `  - { key: ${key}, title: Control ${i}, description: Bench control, owner: ${DEPARTMENTS[i % DEPARTMENTS.length]}, cadence: weekly, evidence: [x], maps: { bench: [${refs[i % refs.length]}] } }`,
      );
    }
    writeFileSync(join(catalogDir, 'controls', `c${f}.yaml`), lines.join('\n') + '\n');
  }

  const cluster = process.env.DATABASE_URL
    ? null
    : new EmbeddedCluster({ dataDir: join(work, 'pg'), throwaway: true, maxConnections: 100 });
  const url = process.env.DATABASE_URL ?? (await cluster.start()).url;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url,
    CONTROLS_DIR: catalogDir,
    DATA_DIR: join(work, 'data'),
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
    DEMO: '0',
  });
  let t = Date.now();
  const app = await createApp(config);
  await app.init();
  console.log(`catalog sync of ${CONTROLS} controls at start: ${Date.now() - t} ms`);

  const db = new Client({ connectionString: url });
  await db.connect();
  const users = await db.query(
    `INSERT INTO users (email, name, role, department_id)
     SELECT 'owner' || g || '@bench.local', 'Owner ' || g, 'control_owner', (SELECT id FROM departments ORDER BY key OFFSET (g % 11) LIMIT 1)
       FROM generate_series(1, $1) g RETURNING id`,
    [OWNERS],
  );
  const ids = users.rows.map((r) => r.id);
  await db.query(`UPDATE controls SET owner_user_id = ($1::uuid[])[1 + (position % $2)]`, [ids, ids.length]);
  await db.end();

  const sweeps = app.get(SweepLifecycleService);
  t = Date.now();
  const first = await sweeps.openWeek('2026-W48', 'system:bench');
  const openMs = Date.now() - t;
  t = Date.now();
  const again = await sweeps.openWeek('2026-W48', 'system:bench');
  const againMs = Date.now() - t;
  console.log(
    `open sweep 2026-W48: ${first.tasks} tasks for ${OWNERS} owners in ${openMs} ms (${Math.round(first.tasks / (openMs / 1000))} tasks/s)`,
  );
  console.log(`open again (idempotent, created=${again.created}): ${againMs} ms`);
  await app.close();
  if (cluster) await cluster.stop();
  rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
