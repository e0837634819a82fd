// Crash points (issue 20): the built server, as `npm start` runs it on its embedded PostgreSQL, takes a mixed
// workload — evidence uploads, sweep task completions, DSR export and erasure against the demo patient
// platform, an audit pack build, risk edits — and is killed with SIGKILL at a random moment, then started
// again on the same DATA_DIR (the new process adopts the PostgreSQL the dead one left running), several
// times over. After each restart, with the workload paused, it checks:
//   - every acknowledged (2xx-answered) write is there: uploads byte for byte, completed sweep tasks,
//     risk edits (or the one edit in flight when the server died, never anything else), DSR exports
//     (downloadable, the same SHA-256) and erasures, requested packs;
//   - nothing is half-stored: no staged upload or half-built pack folder of a dead process under DATA_DIR,
//     no blob whose chunks do not add up to its size, no blob nothing refers to, no file evidence without
//     its files, and no DSR subject half-erased inside the patient platform (wholly there or wholly erased);
//   - jobs resume or fail clearly: an erasure interrupted by the kill can be resumed and finishes; every
//     pack requested before the kill ends done or failed with a reason (not left 'building');
//   - `attest trail verify` says ok, and `attest pack verify` passes for every finished pack.
// Any 5xx answered while the server runs is a failure too.
//
// Seeded and bounded, so `npm test` runs it in about three minutes on two cores. Environment:
//   CRASH_ROUNDS   kills (and restarts) to run, default 5
//   CRASH_SEED     seed of the kill moments and of the workload's choices, default 20261207 (bench/crash.sh
//                  picks a new one each run and prints it, so a failing run can be replayed)
//   CRASH_MIN_MS / CRASH_MAX_MS   the window after the workload starts in which the kill lands (1000 / 8000)
//   CRASH_LOG      a file to write the last server's log to, at the end of the run
// The moments are seeded; what the server is doing at that moment depends on timing, so a replay is
// close but not exact.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedCluster } from '../../src/postgres/embedded-cluster';
import { DEMO, login } from '../support/auth';
import { childEnv, runCliAsync, startServer, type ServerProcess } from '../support/processes';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 5);
const SEED = Number(process.env.CRASH_SEED ?? 20261207);
const MIN_MS = Number(process.env.CRASH_MIN_MS ?? 1000);
const MAX_MS = Number(process.env.CRASH_MAX_MS ?? 8000);
/** How long a pack requested before a kill may take to end after the restart. */
const PACK_SETTLE_MS = 60_000;

jest.setTimeout(120_000 + ROUNDS * 90_000);

/** mulberry32: a small seeded generator, enough to pick moments and sizes reproducibly. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
// Two streams: the kill moments are drawn from their own, so they are the same in every run of a seed
// whatever the workload (whose draws interleave by timing) did.
const killRandom = seeded(SEED);
const random = seeded(SEED ^ 0x5eed);
const between = (lo: number, hi: number, from = random) => Math.floor(lo + from() * (hi - lo));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let dataDir: string;
let server: ServerProcess;
const env = () =>
  childEnv(dataDir, {
    DEMO: '1',
    DSR_DEMO_PLATFORM: '1',
    JOBS_ENABLED: 'true',
    // Only the jobs the workload touches: audit-trail checkpoints every 5 s (so kills land in them too),
    // pack builds and erasures; no sweeps, reminders or drills opening by themselves.
    AUDIT_CHECKPOINT_CRON: '*/5 * * * * *',
    SWEEP_CRON: 'off',
    SWEEP_REMINDER_CRON: 'off',
    RISK_REVIEW_CRON: 'off',
    DOCUMENT_ACK_CRON: 'off',
    INCIDENT_ALERT_CRON: 'off',
    DSR_DRILL_CRON: 'off',
    DSR_ERASURE_GRACE_DAYS: '0',
    STORAGE_RESERVE_BYTES: '0',
  });

/** An answer, or null when the server did not answer (it was killed with the request in flight). */
interface Answer {
  status: number;
  json: any;
}
const serverErrors: string[] = [];
async function call(cookie: string, method: string, path: string, body?: unknown): Promise<Answer | null> {
  try {
    const res = await fetch(server.baseUrl + path, {
      method,
      headers: {
        cookie,
        ...(body === undefined || body instanceof FormData ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await res.text();
    if (res.status >= 500) serverErrors.push(`${method} ${path} ${res.status}: ${text.slice(0, 500)}`);
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  } catch {
    return null;
  }
}
async function bytesOf(cookie: string, path: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(server.baseUrl + path, { headers: { cookie } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

let as: Record<'compliance' | 'owner' | 'privacy', string>;
let week: string;

// What was acknowledged, and what was in flight when the server died.
const uploads = new Map<string, string>(); // evidence id → SHA-256 of its bytes
const uploadsChecked = new Set<string>();
const completedTasks = new Set<string>();
interface RiskState {
  id: string;
  title: string;
  version: number;
  inFlight: string | null;
}
const risks: RiskState[] = [];
interface Subject {
  patient: { id: string; email: string; phone: string; national_id: string; first_name: string };
  original: { appointments: number; newsletter: number; posts: number };
  requestId?: string;
  export?: { sha256: string; url: string };
  eraseAcked: boolean;
  eraseTried: boolean;
}
const subjects: Subject[] = [];
const packs = new Set<string>();
const packsVerified = new Set<string>();
let nextPatient = 0;
/** How often a kill caught a job mid-way: an erasure to resume, a pack not yet ended at the restart. */
const interrupted = { erasures: 0, packs: 0 };

async function platformClient(): Promise<Client> {
  const port = new EmbeddedCluster({ dataDir }).runningPort();
  const { user, password, database } = JSON.parse(readFileSync(join(dataDir, 'db-credentials.json'), 'utf8'));
  const c = new Client({ host: '127.0.0.1', port: port!, user, password, database: `${database}_platform` });
  await c.connect();
  return c;
}
async function attestClient(): Promise<Client> {
  const port = new EmbeddedCluster({ dataDir }).runningPort();
  const { user, password, database } = JSON.parse(readFileSync(join(dataDir, 'db-credentials.json'), 'utf8'));
  const c = new Client({ host: '127.0.0.1', port: port!, user, password, database });
  await c.connect();
  return c;
}

// ---------------------------------------------------------------------------------------------------------
// The workload: each worker loops until the server stops answering.

async function uploader(): Promise<void> {
  for (let i = 0; ; i++) {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(between(10_000, 600_000), random() * 256)]);
    bytes.writeUInt32BE(between(0, 2 ** 31), 9); // distinct bytes for each upload
    const form = new FormData();
    form.append('title', `Crash-point upload ${i}`);
    form.append('controls', 'ENG-01');
    form.append('evidenceDate', '2026-11-20');
    form.append('periodStart', '2026-11-01');
    form.append('periodEnd', '2026-11-30');
    form.append('file', new Blob([bytes]), `upload-${i}.pdf`);
    const res = await call(as.compliance, 'POST', '/api/evidence', form);
    if (!res) return;
    if (res.status === 201) uploads.set(res.json.id, sha256(bytes));
  }
}

async function sweeper(): Promise<void> {
  for (;;) {
    const list = await call(as.owner, 'GET', `/api/sweeps/${week}/tasks?mine=1&status=open&limit=200`);
    if (!list) return;
    const open = (list.json.items as { id: string }[]).filter((t) => !completedTasks.has(t.id));
    if (!open.length) {
      await sleep(200);
      continue;
    }
    const task = open[between(0, open.length)];
    const res = await call(as.owner, 'POST', `/api/sweep-tasks/${task.id}/complete`, {
      outcome: 'attestation',
      statement: `No change this week (crash-point test).`,
    });
    if (!res) return;
    if (res.status === 200) completedTasks.add(task.id);
  }
}

async function riskEditor(risk: RiskState): Promise<void> {
  for (let i = 0; ; i++) {
    const title = `Triage advice is wrong, revision ${risk.version + 1}`;
    risk.inFlight = title;
    const res = await call(as.compliance, 'PATCH', `/api/risks/${risk.id}`, { title, version: risk.version });
    if (!res) return;
    risk.inFlight = null;
    if (res.status !== 200) throw new Error(`risk edit answered ${res.status}: ${JSON.stringify(res.json)}`);
    Object.assign(risk, { title, version: res.json.version });
  }
}

async function dsrWorker(platform: Client): Promise<void> {
  for (;;) {
    const { rows } = await platform.query(
      'SELECT id, email, phone, national_id, first_name FROM patients WHERE email IS NOT NULL ORDER BY id OFFSET $1 LIMIT 1',
      [100 + nextPatient++],
    );
    const patient = rows[0] as Subject['patient'];
    const subject: Subject = {
      patient,
      original: await platformCounts(platform, patient),
      eraseAcked: false,
      eraseTried: false,
    };
    subjects.push(subject);
    const exporting = subjects.length % 2 === 1; // every other subject is exported before it is erased
    const created = await call(as.privacy, 'POST', '/api/dsr/requests', {
      right: 'erasure',
      ground: 'no_longer_necessary',
      channel: 'email',
      subject: {
        name: patient.first_name,
        email: patient.email,
        phone: patient.phone,
        nationalId: patient.national_id,
      },
    });
    if (!created) return;
    expect(created.status).toBe(201);
    subject.requestId = created.json.id;
    const path = `/api/dsr/requests/${subject.requestId}`;
    const verified = await call(as.privacy, 'POST', `${path}/verify-identity`, {
      method: 'id_document',
      reference: 'ID card checked at the counter',
    });
    if (!verified) return;
    expect(verified.status).toBe(200);
    if (exporting) {
      const exported = await call(as.privacy, 'POST', `${path}/export`);
      if (!exported) return;
      expect(exported.status).toBe(200);
      subject.export = { sha256: exported.json.request.exportSha256, url: exported.json.link.url };
    }
    subject.eraseTried = true;
    const erased = await call(as.privacy, 'POST', `${path}/erase`, { graceDays: 0 });
    if (!erased) return;
    expect([erased.status, erased.json.erasedAt]).toEqual([200, expect.any(String)]);
    subject.eraseAcked = true;
  }
}

/** Asks for a pack `after` ms into the round (the build then runs beside the rest) and follows it. */
async function packWorker(after: number): Promise<void> {
  await sleep(after);
  const res = await call(as.compliance, 'POST', '/api/packs', {
    framework: 'soc2',
    from: '2026-11-01',
    to: '2026-11-30',
  });
  if (!res) return;
  expect(res.status).toBe(202);
  packs.add(res.json.id);
  for (;;) {
    const view = await call(as.compliance, 'GET', `/api/packs/${res.json.id}`);
    if (!view || view.json.status === 'done' || view.json.status === 'failed') return;
    await sleep(300);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The invariants.

async function platformCounts(platform: Client, p: Subject['patient']) {
  const count = async (sql: string, value: string) => (await platform.query(sql, [value])).rows[0].n as number;
  return {
    appointments: await count('SELECT count(*)::int AS n FROM appointments WHERE patient_id = $1', p.id),
    newsletter: await count('SELECT count(*)::int AS n FROM newsletter_subscriptions WHERE email = $1', p.email),
    posts: await count('SELECT count(*)::int AS n FROM community_posts WHERE patient_id = $1', p.id),
  };
}

/** 'present' (untouched), 'erased' (every rule applied) — or a description of the half state found. */
async function platformState(platform: Client, s: Subject): Promise<string> {
  const { patient: p, original } = s;
  const row = (await platform.query('SELECT email, first_name FROM patients WHERE id = $1', [p.id])).rows[0];
  const now = await platformCounts(platform, p);
  const anonymisedPosts = (
    await platform.query(
      "SELECT count(*)::int AS n FROM community_posts WHERE patient_id = $1 AND author_display_name = 'Former member'",
      [p.id],
    )
  ).rows[0].n as number;
  const state = { email: row.email === p.email, ...now, anonymisedPosts };
  if (
    row.email === p.email &&
    row.first_name === p.first_name &&
    now.appointments === original.appointments &&
    now.newsletter === original.newsletter &&
    anonymisedPosts === 0
  )
    return 'present';
  if (
    row.email === null &&
    row.first_name === '[erased]' &&
    now.appointments === 0 &&
    now.newsletter === 0 &&
    anonymisedPosts === original.posts
  )
    return 'erased';
  return `half-erased: ${JSON.stringify({ original, now: state })}`;
}

/** Every scratch entry under `folder` must belong to the running server (none of a dead process). */
function scratchOfOthers(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((name) => !name.includes(`_${server.child.pid}_`));
}

async function checkInvariants(round: number): Promise<void> {
  const label = `after kill ${round}`;
  // The audit trail as the crash left it, verified beside the other checks (the CLI takes seconds to start).
  const trail = runCliAsync(['trail', 'verify'], childEnv(dataDir));
  expect({ label, serverErrors }).toEqual({ label, serverErrors: [] });

  // Nothing staged or half-built is left by the dead process.
  expect({ label, staged: scratchOfOthers(join(dataDir, 'tmp', 'uploads')) }).toEqual({ label, staged: [] });
  const packsDir = join(dataDir, 'packs');
  const halfBuilt = existsSync(packsDir)
    ? readdirSync(packsDir).flatMap((id) => scratchOfOthers(join(packsDir, id)).map((n) => `${id}/${n}`))
    : [];
  expect({ label, halfBuilt }).toEqual({ label, halfBuilt: [] });

  // Every acknowledged upload is there, byte for byte.
  for (const [id, digest] of uploads) {
    if (uploadsChecked.has(id)) continue;
    const got = await bytesOf(as.compliance, `/api/evidence/${id}/download`);
    expect({ label, id, status: got.status, sha256: sha256(got.bytes) }).toEqual({
      label,
      id,
      status: 200,
      sha256: digest,
    });
    uploadsChecked.add(id);
  }

  // Every acknowledged sweep completion is there.
  const tasks = await call(as.owner, 'GET', `/api/sweeps/${week}/tasks?mine=1&limit=200`);
  const status = new Map((tasks!.json.items as { id: string; status: string }[]).map((t) => [t.id, t.status]));
  const lost = [...completedTasks].filter((id) => status.get(id) !== 'attested');
  expect({ label, lostCompletions: lost }).toEqual({ label, lostCompletions: [] });

  // Each risk holds its last acknowledged edit, or the one in flight at the kill; its history agrees.
  for (const risk of risks) {
    const got = (await call(as.compliance, 'GET', `/api/risks/${risk.id}`))!.json;
    const allowed = [risk.title, ...(risk.inFlight ? [risk.inFlight] : [])];
    expect({ label, title: allowed.includes(got.title) ? 'as acknowledged' : got.title }).toEqual({
      label,
      title: 'as acknowledged',
    });
    expect(got.version).toBe(got.title === risk.title ? risk.version : risk.version + 1);
    Object.assign(risk, { title: got.title, version: got.version, inFlight: null });
  }

  // DSRs: acknowledged exports and erasures are there; no subject is half-erased; an interrupted erasure
  // resumes and finishes.
  const platform = await platformClient();
  try {
    for (const s of subjects) {
      const state = await platformState(platform, s);
      expect({ label, patient: s.patient.id, state: state.startsWith('half') ? state : 'whole' }).toEqual({
        label,
        patient: s.patient.id,
        state: 'whole',
      });
      if (!s.requestId) {
        expect(state).toBe('present');
        continue;
      }
      let request = (await call(as.privacy, 'GET', `/api/dsr/requests/${s.requestId}`))!;
      expect(request.status).toBe(200);
      if (s.export) expect(request.json.exportSha256).toBe(s.export.sha256);
      if (s.eraseAcked) expect([request.json.erasedAt, state]).toEqual([expect.any(String), 'erased']);
      if (!request.json.erasedAt && request.json.erasureScheduledFor) {
        const resumed = (await call(as.privacy, 'POST', `/api/dsr/requests/${s.requestId}/erase/resume`))!;
        expect({ label, resumed: resumed.status, erasedAt: typeof resumed.json.erasedAt }).toEqual({
          label,
          resumed: 200,
          erasedAt: 'string',
        });
        request = resumed;
        s.eraseAcked = true;
        interrupted.erasures++;
      }
      if (!request.json.erasedAt) expect(state).toBe('present');
      if (request.json.erasedAt) expect(await platformState(platform, s)).toBe('erased');
      if (s.export && !request.json.erasedAt) {
        const got = await bytesOf(as.privacy, s.export.url);
        expect({ label, status: got.status, sha256: sha256(got.bytes) }).toEqual({
          label,
          status: 200,
          sha256: s.export.sha256,
        });
      }
    }
  } finally {
    await platform.end();
  }

  // Every pack asked for ends, done or failed with a reason; every finished one verifies (below).
  const packVerifies: Promise<{ id: string; out: string; status: number | null }>[] = [];
  const settleBy = Date.now() + PACK_SETTLE_MS;
  for (const id of packs) {
    let view = (await call(as.compliance, 'GET', `/api/packs/${id}`))!;
    expect(view.status).toBe(200);
    if (!['done', 'failed'].includes(view.json.status)) interrupted.packs++;
    while (!['done', 'failed'].includes(view.json.status) && Date.now() < settleBy) {
      await sleep(500);
      view = (await call(as.compliance, 'GET', `/api/packs/${id}`))!;
    }
    expect({ label, pack: id, status: view.json.status }).toEqual({
      label,
      pack: id,
      status: expect.stringMatching(/^(done|failed)$/),
    });
    if (view.json.status === 'failed') expect(view.json.error).toEqual(expect.stringMatching(/\S/));
    if (view.json.status !== 'done' || packsVerified.has(id)) continue;
    const zip = await bytesOf(as.compliance, `/api/packs/${id}/download`);
    expect(zip.status).toBe(200);
    const file = join(dir, `pack-${id}.zip`);
    writeFileSync(file, zip.bytes);
    packVerifies.push(
      runCliAsync(['pack', 'verify', file], childEnv(dataDir)).then((verified) => {
        rmSync(file);
        return { id, out: verified.stdout.trim(), status: verified.status };
      }),
    );
  }

  // Nothing half-stored in the database.
  const db = await attestClient();
  try {
    const rows = async (sql: string) => (await db.query(sql)).rows.map((r) => Object.values(r).join(' '));
    expect({
      label,
      blobsShort: await rows(
        `SELECT b.sha256, b.size, coalesce(c.bytes, 0) AS stored FROM blobs b
           LEFT JOIN (SELECT sha256, sum(octet_length(data)) AS bytes FROM blob_chunks GROUP BY sha256) c ON c.sha256 = b.sha256
          WHERE b.store = 'postgres' AND coalesce(c.bytes, 0) <> b.size`,
      ),
      blobsUnreferenced: await rows(
        `SELECT b.sha256 FROM blobs b
          WHERE NOT EXISTS (SELECT 1 FROM evidence_files f WHERE f.sha256 = b.sha256)
            AND NOT EXISTS (SELECT 1 FROM audit_packs p WHERE b.sha256 IN (p.pdf_sha256, p.zip_sha256))`,
      ),
      fileEvidenceWithoutFiles: await rows(
        `SELECT e.id FROM evidence e WHERE e.kind = 'file'
            AND NOT EXISTS (SELECT 1 FROM evidence_files f WHERE f.evidence_id = e.id)`,
      ),
      donePacksWithoutBlobs: await rows(
        `SELECT p.id FROM audit_packs p WHERE p.status = 'done'
            AND (NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = p.zip_sha256)
              OR NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = p.pdf_sha256))`,
      ),
    }).toEqual({
      label,
      blobsShort: [],
      blobsUnreferenced: [],
      fileEvidenceWithoutFiles: [],
      donePacksWithoutBlobs: [],
    });
  } finally {
    await db.end();
  }

  // The audit trail's chain and checkpoints verify; every finished pack verifies.
  const trailVerified = await trail;
  expect({ label, out: trailVerified.stdout.split('\n')[0], status: trailVerified.status }).toEqual({
    label,
    out: expect.stringMatching(/^ok: \d+ entries/),
    status: 0,
  });
  for (const verified of await Promise.all(packVerifies)) {
    expect({ label, ...verified }).toEqual({ label, id: verified.id, out: 'ok', status: 0 });
    packsVerified.add(verified.id);
  }
}

// ---------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attest-crash-points-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user when the tests run as root
  dataDir = join(dir, 'data');
  server = await startServer(env(), 120_000);
  as = {
    compliance: await login(server.baseUrl, DEMO.compliance),
    owner: await login(server.baseUrl, DEMO.owner),
    privacy: await login(server.baseUrl, DEMO.privacy),
  };
  // The demo platform is registered at start; the sweep of this week is opened by hand (SWEEP_CRON=off).
  const systems = await call(as.privacy, 'GET', '/api/dsr/systems');
  expect(systems!.json.map((s: { key: string }) => s.key)).toEqual(['patient-platform']);
  const sweep = await call(as.compliance, 'POST', '/api/sweeps', {});
  expect(sweep!.status).toBeLessThan(300);
  week = sweep!.json.week;
  for (let i = 0; i < 2; i++) {
    const created = await call(as.compliance, 'POST', '/api/risks', {
      register: 'iso14971',
      ref: `HAZ-90${i}`,
      product: 'Crash-point test',
      title: 'Triage advice is wrong',
      hazard: 'Incorrect triage recommendation',
      sequenceOfEvents: 'Symptom text is misread by the model',
      hazardousSituation: 'Patient relies on a low-urgency recommendation',
      harm: 'Delayed treatment',
      severity: 'S4',
      probability: 'remote',
    });
    expect([created!.status, created!.json.errors]).toEqual([201, undefined]);
    risks.push({ id: created!.json.id, title: created!.json.title, version: created!.json.version, inFlight: null });
  }
}, 180_000);

afterAll(async () => {
  if (server && process.env.CRASH_LOG) writeFileSync(process.env.CRASH_LOG, server.output());
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Whether every kind of write has been acknowledged at least once. */
const reached = () =>
  uploads.size > 0 &&
  completedTasks.size > 0 &&
  risks.every((r) => r.version > 1) &&
  subjects.some((s) => s.export) &&
  subjects.some((s) => s.eraseAcked) &&
  packs.size > 0;

/** One line per kill on stderr: when it landed, what had been acknowledged so far, how long the restart and checks took. */
function progress(round: number, killAfter: number, restartMs: number, checkMs: number): void {
  const acked = {
    uploads: uploads.size,
    completions: completedTasks.size,
    riskEdits: risks.reduce((n, r) => n + r.version - 1, 0),
    dsrExports: subjects.filter((s) => s.export).length,
    dsrErasures: subjects.filter((s) => s.eraseAcked).length,
    packs: packs.size,
    packsVerified: packsVerified.size,
  };
  process.stderr.write(
    `crash points: kill ${round} after ${killAfter} ms; restart ${restartMs} ms, checks ${checkMs} ms; so far ${JSON.stringify(acked)}, interrupted ${JSON.stringify(interrupted)}\n`,
  );
}

it(`keeps every acknowledged write and leaves nothing half-done across ${ROUNDS} kills (seed ${SEED})`, async () => {
  process.stderr.write(`crash points: CRASH_SEED=${SEED} CRASH_ROUNDS=${ROUNDS}\n`);
  for (let round = 1; round <= ROUNDS; round++) {
    const platform = await platformClient();
    const killAfter = between(MIN_MS, MAX_MS, killRandom);
    const workers = [
      uploader(),
      uploader(),
      sweeper(),
      dsrWorker(platform),
      packWorker(between(0, killAfter * 0.8, killRandom)),
      ...risks.map(riskEditor),
    ];
    const failures: unknown[] = [];
    const running = Promise.allSettled(workers).then((r) =>
      r.forEach((x) => x.status === 'rejected' && failures.push(x.reason)),
    );
    await sleep(killAfter);
    // The last kill waits until every kind of write has been acknowledged at least once (a slow machine
    // may not get that far in the earlier windows), so the checks after it cover them all.
    for (const until = Date.now() + 60_000; round === ROUNDS && !reached() && Date.now() < until;) await sleep(100);
    await server.stop('SIGKILL');
    await running;
    await platform.end();
    if (failures.length) throw failures[0];
    const restarting = Date.now();
    server = await startServer(env(), 120_000);
    const checking = Date.now();
    await checkInvariants(round);
    progress(round, killAfter, checking - restarting, Date.now() - checking);
  }
  // The workload did reach the writes the invariants are about.
  expect(reached()).toBe(true);
  expect(packsVerified.size).toBeGreaterThan(0);
});
