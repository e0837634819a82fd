#!/usr/bin/env node
// Client half of bench/soak.sh (issue 20, "load with faults"). Two built servers (`node dist/src/main.js`,
// production mode, the shared secrets of `attest keys generate`, each with its own DATA_DIR and a fixed
// port, as behind a load balancer) on one PostgreSQL (an embedded cluster this script owns, so it can stop
// it), started and killed with the end-to-end tests' own helpers (test/support/processes.ts, auth.ts).
//
// For SOAK_MINUTES (3) it sends SOAK_RATE (10) requests a second, open loop (a slow answer does not slow the
// sender), round robin over the two instances, as the demo compliance manager:
//   - reads (three in four): GET /api/controls, /api/evidence, /api/risks (limit 50), /api/sweeps/current,
//     /api/me. A read that fails (no connection, or any 5xx) is retried once on the other instance, as a
//     client behind a load balancer would be;
//   - writes (one in four), never retried: small evidence uploads (2–20 KB), sweep task completions
//     (four weeks of sweeps opened first), risk edits (title and version). Each acknowledged (2xx) write is
//     recorded with its id.
// Faults: at 30 % of the run PostgreSQL is stopped for SOAK_PG_DOWN seconds (5) and started again on its
// port; at 60 % instance B is killed with SIGKILL and started again at once on the same DATA_DIR and port.
//
// Prints the fault timeline; requests, attempts and retries; errors by class per attempt (5xx other than
// 503, 503 with Retry-After, connection errors, time-outs, 4xx); p50/p99 latency of the answered requests
// (retries included); and the invariants: every acknowledged write is in the database afterwards (uploads
// with their SHA-256, completed tasks, each acknowledged risk version with its title), and `attest trail
// verify` says ok; and, printed only, any upload or completion answered 503 ("nothing was changed") that is
// stored all the same. Asserts nothing else: exits 1 only when an acknowledged write is lost or the trail does
// not verify. SOAK_LOG=<dir> keeps both servers' logs.
'use strict';
const { createHash } = require('node:crypto');
const { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { Pool } = require('pg');
const swc = require('@swc/core');

// test/support is TypeScript: compile it (and the src modules it imports) as it is required, the way Jest
// does (@swc/jest), so the soak starts, kills and signs in exactly as the end-to-end tests do.
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
const { EmbeddedCluster, freePort } = require('../src/postgres/embedded-cluster');
const { DEMO, login } = require('../test/support/auth');
const { childEnv, runCli, runCliAsync, startServer } = require('../test/support/processes');

const MINUTES = Number(process.env.SOAK_MINUTES ?? 3);
const RATE = Number(process.env.SOAK_RATE ?? 10);
const PG_DOWN_S = Number(process.env.SOAK_PG_DOWN ?? 5);
const DURATION_MS = MINUTES * 60_000;
const TIMEOUT_MS = 30_000;
const READS = [
  '/api/controls?limit=50',
  '/api/evidence?limit=50',
  '/api/risks?limit=50',
  '/api/sweeps/current',
  '/api/me',
];
const RISKS = 8;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

// ---------------------------------------------------------------------------------------------------------
// The deployment: one PostgreSQL, two instances.

/** `attest keys generate`: KEY=value lines (comments skipped), as test/e2e/two-instances does. */
function generatedSecrets(dir) {
  const r = runCli(['keys', 'generate', '--organisation', 'Soak Co'], childEnv(join(dir, 'keys')));
  if (r.status !== 0) throw new Error(`attest keys generate failed: ${r.stderr}`);
  const secrets = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.+)$/.exec(line);
    if (m) secrets[m[1]] = m[2];
  }
  return secrets;
}

async function deploy(dir) {
  const pgPort = await freePort();
  const clusterOn = () => new EmbeddedCluster({ dataDir: join(dir, 'pg'), maxConnections: 60, port: pgPort });
  const cluster = clusterOn();
  const { url } = await cluster.start();
  const secrets = generatedSecrets(dir);
  const instance = async (name) => {
    const port = await freePort();
    const env = childEnv(join(dir, name), {
      ...secrets,
      NODE_ENV: 'production',
      DATABASE_URL: url,
      PORT: String(port),
      DEMO: '1',
      DSR_DEMO_PLATFORM: '0',
      SWEEP_CRON: 'off', // the sweeps are opened below, not by the clock
      ORGANISATION_NAME: 'Soak Co',
    });
    return { name, env, url: `http://127.0.0.1:${port}`, server: null, logs: [] };
  };
  const instances = [await instance('A'), await instance('B')];
  // A first (it migrates the empty database), then B.
  for (const i of instances) i.server = await startServer(i.env, 180_000);
  return { url, instances, pg: { cluster, clusterOn } };
}

function isoWeek(d) {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Four weeks of sweeps (their open tasks are the completions to make) and RISKS risks to edit. */
async function prepare(base, cookie, db) {
  const post = async (path, body) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  for (let w = 3; w >= 0; w--) await post('/api/sweeps', { week: isoWeek(new Date(Date.now() - w * 7 * 86400000)) });
  const tasks = (await db.query(`SELECT id::text FROM sweep_tasks WHERE status = 'open' ORDER BY id`)).rows;
  const risks = [];
  for (let i = 0; i < RISKS; i++) {
    const r = await post('/api/risks', {
      register: 'iso14971',
      ref: `SOAK-${i}`,
      product: 'Soak test',
      title: 'Triage advice is wrong',
      hazard: 'Incorrect triage recommendation',
      sequenceOfEvents: 'Symptom text is misread by the model',
      hazardousSituation: 'Patient relies on a low-urgency recommendation',
      harm: 'Delayed treatment',
      severity: 'S4',
      probability: 'remote',
    });
    risks.push({ id: r.id, version: r.version, busy: false, stale: false });
  }
  return { tasks: tasks.map((t) => t.id), risks };
}

// ---------------------------------------------------------------------------------------------------------
// The load.

const stats = {
  requests: { read: 0, write: 0 },
  attempts: 0,
  retries: 0,
  errors: { '5xx': 0, '503 with Retry-After': 0, 'connection errors': 0, 'time-outs': 0, '4xx': 0 },
  readsFailed: 0,
  writesNotAcked: 0,
  latencies: [], // [sent at (ms into the run), ms to the answer]
  firstFaultAt: Infinity, // ms into the run
  t0: 0,
  windows: {}, // error class → [first, last] second of the run it was seen in
  samples: new Map(), // first answers of each unexpected kind (status, route) → body
};
const acked = { uploads: [], completions: [], riskEdits: [] };
/** Writes answered 503 ("nothing was changed by this request"): they must not be in the database. */
const refused = { uploads: [], completions: [] };

/** One attempt: the HTTP answer, or the class of the failure. */
async function attempt(instance, cookie, method, path, body) {
  stats.attempts++;
  const seen = (kind) => {
    stats.errors[kind]++;
    const t = (Date.now() - stats.t0) / 1000;
    stats.windows[kind] = [stats.windows[kind]?.[0] ?? t, t];
  };
  const json = body !== undefined && !(body instanceof FormData);
  try {
    const res = await fetch(instance.url + path, {
      method,
      headers: { cookie, ...(json ? { 'content-type': 'application/json' } : {}) },
      body: json ? JSON.stringify(body) : body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    const kind =
      res.status < 400
        ? null
        : res.status === 503 && res.headers.get('retry-after')
          ? '503 with Retry-After'
          : res.status >= 500
            ? '5xx'
            : '4xx';
    if (kind) {
      seen(kind);
      const key = `${res.status} ${method} ${path.replace(/[0-9a-f-]{36}/g, ':id')}`;
      if (kind !== '503 with Retry-After' && !stats.samples.has(key)) stats.samples.set(key, text.slice(0, 300));
    }
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, json: parsed, kind };
  } catch (e) {
    const kind = e.name === 'TimeoutError' ? 'time-outs' : 'connection errors';
    seen(kind);
    return { status: 0, kind };
  }
}

async function read(instances, n, cookie) {
  const path = READS[Math.floor(n / 2) % READS.length];
  const first = instances[n % 2];
  let r = await attempt(first, cookie, 'GET', path);
  if (r.status === 0 || r.status >= 500) {
    stats.retries++;
    r = await attempt(instances[(n + 1) % 2], cookie, 'GET', path);
  }
  if (r.status === 0 || r.status >= 400) stats.readsFailed++;
  return r;
}

async function upload(instance, n, cookie) {
  const bytes = Buffer.alloc(2_000 + ((n * 7919) % 18_000), n % 251);
  bytes.write(`%PDF-1.7 soak upload ${n} ${Date.now()}\n`);
  const form = new FormData();
  form.append('title', `Soak upload ${n}`);
  form.append('controls', 'ENG-01');
  form.append('evidenceDate', '2026-11-20');
  form.append('periodStart', '2026-11-01');
  form.append('periodEnd', '2026-11-30');
  form.append('file', new Blob([bytes]), `soak-${n}.pdf`);
  const r = await attempt(instance, cookie, 'POST', '/api/evidence', form);
  if (r.status === 201) acked.uploads.push({ id: r.json.id, sha256: sha256(bytes) });
  if (r.status === 503) refused.uploads.push(`Soak upload ${n}`);
  return r;
}

async function complete(instance, cookie, work) {
  const id = work.tasks.pop();
  const r = await attempt(instance, cookie, 'POST', `/api/sweep-tasks/${id}/complete`, {
    outcome: 'exception',
    reason: 'Soak test: not applicable this week.',
  });
  if (r.status === 200) acked.completions.push(id);
  if (r.status === 503) refused.completions.push(id);
  return r;
}

async function editRisk(instance, cookie, risk, db) {
  risk.busy = true;
  try {
    // An edit that was not acknowledged may still have been committed: read the version again first.
    if (risk.stale) {
      risk.version = (await db.query('SELECT version FROM risks WHERE id = $1', [risk.id])).rows[0].version;
      risk.stale = false;
    }
    const title = `Triage advice is wrong, soak revision ${risk.version + 1}`;
    const r = await attempt(instance, cookie, 'PATCH', `/api/risks/${risk.id}`, { title, version: risk.version });
    if (r.status === 200) {
      acked.riskEdits.push({ id: risk.id, version: r.json.version, title });
      risk.version = r.json.version;
    } else risk.stale = true;
    return r;
  } finally {
    risk.busy = false;
  }
}

async function write(instances, n, cookie, work, db) {
  const instance = instances[n % 2];
  const kind = Math.floor(n / 4) % 3;
  const risk = work.risks.find((x) => !x.busy);
  let r;
  if (kind === 1 && work.tasks.length) r = await complete(instance, cookie, work);
  else if (kind === 2 && risk) r = await editRisk(instance, cookie, risk, db).catch(() => null);
  if (!r) r = await upload(instance, n, cookie);
  if (r.status < 200 || r.status >= 300) stats.writesNotAcked++;
  return r;
}

/** One request of the mix: every fourth is a write. */
async function one(instances, n, cookie, work, db) {
  const started = Date.now();
  const isWrite = n % 4 === 3;
  stats.requests[isWrite ? 'write' : 'read']++;
  const r = isWrite ? await write(instances, n, cookie, work, db) : await read(instances, n, cookie);
  if (r.status) stats.latencies.push([started - stats.t0, Date.now() - started]);
}

// ---------------------------------------------------------------------------------------------------------
// The faults.

const events = [];
const at = (t0) => `t+${((Date.now() - t0) / 1000).toFixed(1)}s`;

async function restartPostgres(deployment, t0) {
  stats.firstFaultAt = Date.now() - t0;
  events.push(`${at(t0)}  PostgreSQL stopping (pg_ctl stop -m fast)`);
  await deployment.pg.cluster.stop();
  events.push(`${at(t0)}  PostgreSQL stopped`);
  await sleep(PG_DOWN_S * 1000);
  deployment.pg.cluster = deployment.pg.clusterOn();
  await deployment.pg.cluster.start();
  events.push(`${at(t0)}  PostgreSQL started again on its port`);
}

async function killAndRestart(instance, t0) {
  instance.logs.push(instance.server.output());
  await instance.server.stop('SIGKILL');
  events.push(`${at(t0)}  instance ${instance.name} killed (SIGKILL), restarting on its DATA_DIR and port`);
  instance.server = await startServer(instance.env, 180_000);
  events.push(`${at(t0)}  instance ${instance.name} answering again`);
}

async function run(deployment, cookie, work, db) {
  const { instances } = deployment;
  const t0 = Date.now();
  stats.t0 = t0;
  const faults = (async () => {
    await sleep(DURATION_MS * 0.3);
    await restartPostgres(deployment, t0);
    await sleep(Math.max(0, t0 + DURATION_MS * 0.6 - Date.now()));
    await killAndRestart(instances[1], t0);
  })();
  const inflight = new Set();
  for (let n = 0; Date.now() - t0 < DURATION_MS; n++) {
    const due = t0 + (n * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    const p = one(instances, n, cookie, work, db);
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  events.push(`${at(t0)}  load stopped; waiting for ${inflight.size} requests in flight`);
  await Promise.all([...inflight]);
  await faults;
}

// ---------------------------------------------------------------------------------------------------------
// The invariants and the report.

async function lostWrites(db) {
  const files = new Map(
    (
      await db.query('SELECT evidence_id::text AS id, sha256 FROM evidence_files WHERE evidence_id = ANY($1::uuid[])', [
        acked.uploads.map((u) => u.id),
      ])
    ).rows.map((r) => [r.id, r.sha256]),
  );
  const tasks = new Map(
    (
      await db.query('SELECT id::text, status FROM sweep_tasks WHERE id = ANY($1::uuid[])', [acked.completions])
    ).rows.map((r) => [r.id, r.status]),
  );
  const versions = new Set(
    (await db.query(`SELECT risk_id::text AS id, version, after->>'title' AS title FROM risk_versions`)).rows.map(
      (r) => `${r.id} ${r.version} ${r.title}`,
    ),
  );
  const refusedYetStored = [
    ...(await db.query('SELECT title FROM evidence WHERE title = ANY($1)', [refused.uploads])).rows.map((r) => r.title),
    ...(
      await db.query(`SELECT id::text FROM sweep_tasks WHERE id = ANY($1::uuid[]) AND status <> 'open'`, [
        refused.completions,
      ])
    ).rows.map((r) => `sweep task ${r.id}`),
  ];
  return {
    refusedYetStored,
    uploads: acked.uploads.filter((u) => files.get(u.id) !== u.sha256).map((u) => u.id),
    completions: acked.completions.filter((id) => !tasks.get(id) || tasks.get(id) === 'open'),
    riskEdits: acked.riskEdits.filter((e) => !versions.has(`${e.id} ${e.version} ${e.title}`)).map((e) => e.id),
  };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function report(lost, trail) {
  const total = stats.requests.read + stats.requests.write;
  const errors = Object.values(stats.errors).reduce((a, b) => a + b, 0);
  const pct = (x, of) => `${((100 * x) / Math.max(1, of)).toFixed(2)} %`;
  const sorted = stats.latencies.map(([, ms]) => ms).sort((a, b) => a - b);
  const before = stats.latencies.filter(([at]) => at < stats.firstFaultAt).map(([, ms]) => ms);
  before.sort((a, b) => a - b);
  console.log('faults:');
  for (const e of events) console.log(`  ${e}`);
  console.log(
    `requests: ${total} (${stats.requests.read} reads, ${stats.requests.write} writes); ` +
      `${stats.attempts} attempts (${stats.retries} reads retried on the other instance)`,
  );
  console.log(`errors: ${errors} of ${stats.attempts} attempts (${pct(errors, stats.attempts)})`);
  for (const [kind, n] of Object.entries(stats.errors)) {
    const w = stats.windows[kind];
    const when = w ? `   between t+${w[0].toFixed(1)}s and t+${w[1].toFixed(1)}s` : '';
    console.log(`  ${kind.padEnd(22)} ${String(n).padStart(6)}${when}`);
  }
  console.log(`reads failed after the retry: ${stats.readsFailed} (${pct(stats.readsFailed, stats.requests.read)})`);
  console.log(
    `writes: ${stats.requests.write - stats.writesNotAcked} acknowledged (${acked.uploads.length} uploads, ` +
      `${acked.completions.length} sweep completions, ${acked.riskEdits.length} risk edits), ` +
      `${stats.writesNotAcked} not acknowledged`,
  );
  console.log(
    `latency of the answered requests (ms, retries included): p50 ${percentile(sorted, 50)}, ` +
      `p99 ${percentile(sorted, 99)}, max ${sorted[sorted.length - 1]}; ` +
      `before the first fault (${before.length} requests): p50 ${percentile(before, 50)}, p99 ${percentile(before, 99)}`,
  );
  for (const [key, body] of stats.samples) console.log(`  first ${key}: ${body}`);
  const lostCount = lost.uploads.length + lost.completions.length + lost.riskEdits.length;
  console.log(
    `lost acknowledged writes: ${lostCount} (uploads ${lost.uploads.length}/${acked.uploads.length}, ` +
      `sweep completions ${lost.completions.length}/${acked.completions.length}, ` +
      `risk edits ${lost.riskEdits.length}/${acked.riskEdits.length})`,
  );
  if (lostCount) console.log(`  lost: ${JSON.stringify({ ...lost, refusedYetStored: undefined })}`);
  console.log(
    `writes answered 503 yet stored: ${lost.refusedYetStored.length} of ` +
      `${refused.uploads.length + refused.completions.length} (uploads and completions answered 503)` +
      (lost.refusedYetStored.length ? `: ${lost.refusedYetStored.join(', ')}` : ''),
  );
  console.log(`attest trail verify: ${trail.status === 0 ? '' : `exit ${trail.status}: `}${trail.stdout.trim()}`);
  if (trail.status !== 0) console.log(trail.stderr.trim());
  return lostCount === 0 && trail.status === 0;
}

/** Log lines at WARN or above, per instance (the killed B's earlier life included). */
function serverLog(instances) {
  for (const i of instances) {
    const text = [...i.logs, i.server?.output() ?? ''].join('\n--- restarted ---\n');
    if (process.env.SOAK_LOG) {
      mkdirSync(process.env.SOAK_LOG, { recursive: true });
      writeFileSync(join(process.env.SOAK_LOG, `instance-${i.name}.log`), text);
    }
    // Error-level entries (pino level 50+) by the error's code: a 503 is logged with its cause.
    const causes = new Map();
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if (entry.level < 50) continue;
      const cause = `${entry.msg}: ${entry.err?.code ?? entry.err?.message?.slice(0, 60) ?? '-'}`;
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
    const list = [...causes].map(([c, n]) => `${n} × ${c}`).join('; ');
    console.log(`instance ${i.name} log, error level: ${list || 'none'}`);
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'attest-soak-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user when this runs as root
  let deployment;
  let db;
  try {
    deployment = await deploy(dir);
    // A pool: it reconnects after the PostgreSQL restart (risk versions are read through it during the run).
    db = new Pool({ connectionString: deployment.url, max: 2 });
    db.on('error', () => undefined);
    const cookie = await login(deployment.instances[0].url, DEMO.compliance);
    const work = await prepare(deployment.instances[0].url, cookie, db);
    console.log(
      `soak: ${MINUTES} min at ${RATE} req/s against instances A and B on one PostgreSQL; ${cpus().length} cores, ` +
        `node ${process.version}, ${new Date().toISOString().slice(0, 19)}Z; ${work.tasks.length} open sweep tasks, ` +
        `${RISKS} risks; PostgreSQL down ${PG_DOWN_S} s at 30 %, B killed at 60 %`,
    );
    await run(deployment, cookie, work, db);
    const [lost, trail] = await Promise.all([
      lostWrites(db),
      runCliAsync(['trail', 'verify'], deployment.instances[0].env),
    ]);
    process.exitCode = report(lost, trail) ? 0 : 1;
    serverLog(deployment.instances);
  } finally {
    await db?.end().catch(() => undefined);
    for (const i of deployment?.instances ?? []) await i.server?.stop('SIGTERM');
    await deployment?.pg.cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 2;
});
