#!/usr/bin/env node
// Client half of bench/api.sh. On the running server's database (DATA_DIR's embedded PostgreSQL, shared
// with the server) it seeds, in SQL: controls up to 500 (weekly "BENCH-nnn" controls added to the demo
// catalog), 20,000 link evidence items each linked to one control, 5,000 risks (half per register, each
// with its first version); then, as the demo compliance manager, opens the sweeps of this week and the
// three before (about 1,700 open tasks). It starts the bare app (bench/api-bare.js) on the same database and runs autocannon with
// CONNECTIONS (50) for DURATION seconds (10) per route, Attest then bare, after a 2 s warm-up of each.
// The write completes distinct open tasks (outcome "exception", which appends to the audit trail), half
// the tasks for each app, as many requests as tasks. Prints req/s, p50, p99 and the ratios; asserts nothing.
'use strict';
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { Client } = require('pg');
const { EmbeddedCluster } = require(join(__dirname, '..', 'dist', 'src', 'postgres', 'embedded-cluster'));

const BASE = process.env.BASE_URL;
const SERVER = Number(process.env.SERVER_PID); // the Attest server's pid, for its CPU time
const BARE_PORT = Number(process.env.BARE_PORT ?? 3293);
const BARE = `http://127.0.0.1:${BARE_PORT}`;
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION = Number(process.env.DURATION ?? 10);
const WEEKS = 4;

async function seed(db) {
  const t = Date.now();
  await db.query(
    `INSERT INTO controls (key, title, description, owner_department, cadence, evidence_guidance, position, content_hash, source_file)
     SELECT 'BENCH-' || lpad(g::text, 3, '0'), 'Bench control ' || g, 'A weekly control seeded by bench/api.sh.',
            (SELECT key FROM departments ORDER BY key OFFSET (g % (SELECT count(*) FROM departments)) LIMIT 1),
            'weekly', '["Bench evidence"]', 10000 + g, 'bench', 'bench.yaml'
       FROM generate_series(1, 500 - (SELECT count(*) FROM controls)) g`,
  );
  const me = (await db.query(`SELECT id FROM users WHERE email = 'compliance@demo.local'`)).rows[0].id;
  await db.query(
    `WITH c AS (SELECT id, row_number() OVER (ORDER BY key) - 1 AS n, count(*) OVER () AS total FROM controls),
          e AS (INSERT INTO evidence (kind, title, source, submitted_by, collected_at, evidence_date, period_start, period_end, url)
                SELECT 'link', 'Bench evidence ' || g, 'api', $1, now() - g * interval '1 minute', now() - g * interval '1 minute',
                       DATE '2026-01-01', DATE '2026-12-31', 'https://example.org/evidence/' || g
                  FROM generate_series(1, 20000) g RETURNING id, title)
     INSERT INTO evidence_controls (evidence_id, control_id)
     SELECT e.id, c.id FROM e JOIN c ON c.n = (substring(e.title from 16)::int % c.total)`,
    [me],
  );
  await db.query(
    `INSERT INTO risks (register, ref, product, title, hazard, harm, severity, probability, level, status, owner_user_id, version)
     SELECT (CASE WHEN g % 2 = 0 THEN 'security' ELSE 'iso14971' END)::risk_register, 'BR-' || lpad(g::text, 5, '0'),
            'Bench product', 'Bench risk ' || g, 'A hazard', 'A harm', 'S2', 'P2', 'acceptable', 'open', $1, 1
       FROM generate_series(1, 5000) g`,
    [me],
  );
  // Each risk's first version, as creating it through the service writes one (the risk list reads them).
  await db.query(
    `INSERT INTO risk_versions (id, risk_id, version, actor, at, before, after)
     SELECT gen_random_uuid(), r.id, 1, 'user:' || r.owner_user_id, r.created_at, NULL,
            jsonb_build_object('ref', r.ref, 'register', r.register, 'product', r.product, 'title', r.title,
                               'hazard', r.hazard, 'harm', r.harm, 'severity', r.severity, 'probability', r.probability,
                               'level', r.level, 'status', r.status, 'ownerUserId', r.owner_user_id, 'controls', '[]'::jsonb)
       FROM risks r WHERE r.ref LIKE 'BR-%'`,
  );
  const counts = (
    await db.query(
      `SELECT (SELECT count(*) FROM controls) AS controls, (SELECT count(*) FROM evidence) AS evidence,
              (SELECT count(*) FROM risks) AS risks`,
    )
  ).rows[0];
  await db.query('ANALYZE');
  return { me, counts, ms: Date.now() - t };
}

function isoWeek(d) {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

async function run(pid, url, opts) {
  await autocannon({ url, connections: CONNECTIONS, duration: 2, ...opts, amount: undefined }); // warm-up
  return measured(pid, () => autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...opts }));
}

function runWrite(pid, url, cookie, ids) {
  return measured(pid, () =>
    autocannon({
      url,
      connections: CONNECTIONS,
      amount: ids.length,
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: url },
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            path: `/api/sweep-tasks/${ids.pop()}/complete`,
            body: JSON.stringify({ outcome: 'exception', reason: 'Bench: not applicable this week.' }),
          }),
        },
      ],
    }),
  );
}

const fmt = (r) => ({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad: r.non2xx + r.errors });

/** CPU time (user + system, µs) a process has used so far, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Runs `load` and adds the CPU time per answered request of process `pid` during it (µs). */
async function measured(pid, load) {
  const before = cpuMicros(pid);
  const r = await load();
  return { ...fmt(r), cpu: (cpuMicros(pid) - before) / Math.max(1, r.requests.total) };
}

async function main() {
  const { url } = await new EmbeddedCluster({ dataDir: process.env.DATA_DIR }).start();
  const db = new Client({ connectionString: url });
  await db.connect();
  const seeded = await seed(db);

  const login = await fetch(`${BASE}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'compliance@demo.local', password: 'attest-demo' }),
  });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  for (let w = WEEKS - 1; w >= 0; w--) {
    const week = isoWeek(new Date(Date.now() - w * 7 * 86400000));
    const r = await fetch(`${BASE}/api/sweeps`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: BASE },
      body: JSON.stringify({ week }),
    });
    if (r.status !== 200) throw new Error(`opening sweep ${week}: ${r.status} ${await r.text()}`);
  }
  const tasks = (await db.query(`SELECT id FROM sweep_tasks WHERE status = 'open' ORDER BY id`)).rows.map((r) => r.id);
  await db.end();
  const half = Math.floor(tasks.length / 2);

  const bare = spawn(process.execPath, [join(__dirname, 'api-bare.js')], {
    env: { ...process.env, DATABASE_URL: url, PORT: String(BARE_PORT), ME_ID: seeded.me },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      if ((await fetch(`${BARE}/api/me`).catch(() => null))?.ok) break;
      if (i > 200) throw new Error('the bare app did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(
      `seeded in ${seeded.ms} ms: ${seeded.counts.controls} controls, ${seeded.counts.evidence} evidence items, ` +
        `${seeded.counts.risks} risks, ${tasks.length} open sweep tasks (${WEEKS} weeks); ` +
        `${CONNECTIONS} connections, ${DURATION} s per route`,
    );
    console.log(
      `${'route'.padEnd(38)} ${'attest req/s'.padStart(12)} ${'p50'.padStart(5)} ${'p99'.padStart(5)}   ${'bare req/s'.padStart(10)} ${'p50'.padStart(5)} ${'p99'.padStart(5)}   ${'req/s %'.padStart(7)} ${'p99 ×'.padStart(6)}   ${'CPU µs/req attest'.padStart(17)} ${'bare'.padStart(5)} ${'bare/attest'.padStart(11)}`,
    );
    const routes = [
      ['GET /api/controls?limit=50', '/api/controls?limit=50'],
      ['GET /api/evidence?limit=50', '/api/evidence?limit=50'],
      ['GET /api/risks?limit=50', '/api/risks?limit=50'],
      ['GET /api/sweeps/current', '/api/sweeps/current'],
      ['GET /api/me', '/api/me'],
    ];
    const only = process.env.ROUTES ? process.env.ROUTES.split(',') : null; // e.g. ROUTES=/api/me,/api/risks
    const results = [];
    for (const [label, path] of routes.filter(([, p]) => !only || only.some((o) => p.startsWith(o)))) {
      const a = await run(SERVER, `${BASE}${path}`, { headers: { cookie } });
      const b = await run(bare.pid, `${BARE}${path}`, {});
      results.push([label, a, b]);
      print(label, a, b);
    }
    if (only && !only.includes('write')) return;
    const a = await runWrite(SERVER, BASE, cookie, tasks.slice(0, half));
    const b = await runWrite(bare.pid, BARE, cookie, tasks.slice(half, 2 * half));
    print(`POST /api/sweep-tasks/:id/complete (${half})`, a, b);
  } finally {
    bare.kill('SIGTERM');
  }
}

function print(label, a, b) {
  const bad = a.bad || b.bad ? `   (non-2xx/errors: attest ${a.bad}, bare ${b.bad})` : '';
  console.log(
    `${label.padEnd(38)} ${a.rps.toFixed(0).padStart(12)} ${String(a.p50).padStart(5)} ${String(a.p99).padStart(5)}   ` +
      `${b.rps.toFixed(0).padStart(10)} ${String(b.p50).padStart(5)} ${String(b.p99).padStart(5)}   ` +
      `${((100 * a.rps) / b.rps).toFixed(0).padStart(6)}% ${(a.p99 / b.p99).toFixed(1).padStart(5)}×   ` +
      `${a.cpu.toFixed(0).padStart(17)} ${b.cpu.toFixed(0).padStart(5)} ${((100 * b.cpu) / a.cpu).toFixed(0).padStart(10)}%${bad}`,
  );
}

if (require.main === module)
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });

module.exports = { seed };
