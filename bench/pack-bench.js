#!/usr/bin/env node
// Half of bench/pack.sh: a catalog of CONTROLS controls mapped to a `bench` framework, ITEMS evidence items
// of TOTAL_MB megabytes in all (one file each, random-looking but cheap: slices of one random buffer, each
// made unique by a counter), stored with BLOB_STORE=filesystem (bytes as files, rows in PostgreSQL: writing
// 2 GB into blob_chunks takes much longer and measures PostgreSQL, not the pack), on a throwaway embedded
// PostgreSQL. Then it times, as separate processes under /usr/bin/time, `sha256sum` over the same bytes,
// `attest pack build` and `attest pack verify`, and prints wall time and peak RSS. Prints; asserts nothing.
// PROFILE=dir runs the build under `node --cpu-prof` and writes its profile there.
'use strict';
require('reflect-metadata');
const { createHash } = require('node:crypto');
const {
  mkdtempSync,
  mkdirSync,
  writeFileSync,
  copyFileSync,
  rmSync,
  chmodSync,
  statSync,
  openSync,
  writeSync,
  closeSync,
} = require('node:fs');
const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');

const ROOT = join(__dirname, '..');
const dist = join(ROOT, 'dist', 'src');
const { EmbeddedCluster } = require(join(dist, 'postgres', 'embedded-cluster'));
const { loadConfig } = require(join(dist, 'config', 'config'));
const { createApp } = require(join(dist, 'configure-app'));

const CONTROLS = Number(process.env.CONTROLS ?? 1000);
const ITEMS = Number(process.env.ITEMS ?? 20000);
const TOTAL_MB = Number(process.env.TOTAL_MB ?? 2048);
const FROM = '2026-01-01';
const TO = '2026-06-30';
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

function timed(label, cmd, args, env) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { env, encoding: 'utf8', maxBuffer: 256 << 20 });
  const m = /([\d.]+) (\d+)\s*$/.exec(r.stderr.trim());
  if (r.status !== 0 || !m) throw new Error(`${label} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  console.log(
    `${label.padEnd(40)} ${Number(m[1]).toFixed(1).padStart(7)} s   peak RSS ${String(Math.round(Number(m[2]) / 1024)).padStart(5)} MB`,
  );
  r.seconds = Number(m[1]);
  return r;
}

async function main() {
  const work = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'attest-pack-bench-'));
  chmodSync(work, 0o755); // as root, PostgreSQL runs as the postgres user and must enter it
  const catalogDir = join(work, 'controls');
  const blobDir = join(work, 'blobs');
  mkdirSync(join(catalogDir, 'frameworks'), { recursive: true });
  mkdirSync(join(catalogDir, 'controls'), { recursive: true });
  copyFileSync(join(ROOT, 'controls', 'departments.yaml'), join(catalogDir, 'departments.yaml'));
  copyFileSync(join(ROOT, 'controls', 'risk-matrix.yaml'), join(catalogDir, 'risk-matrix.yaml'));
  // One requirement per control up to 100: a requirement no control maps is refused by the catalog sync.
  const refs = Array.from({ length: Math.min(100, CONTROLS) }, (_, i) => `R${i + 1}`);
  writeFileSync(
    join(catalogDir, 'frameworks', 'bench.yaml'),
    `framework: bench\nname: Bench\nversion: "1"\nrequirements:\n${refs.map((r) => `  - { ref: ${r}, group: G, title: Requirement ${r} }`).join('\n')}\n`,
  );
  const keys = Array.from(
    { length: CONTROLS },
    (_, i) => `B${String.fromCharCode(65 + Math.floor(i / 1000))}-${String(i % 1000).padStart(3, '0')}`,
  );
  for (let f = 0; f * 1000 < CONTROLS; f++) {
    const lines = ['controls:'];
    for (let i = f * 1000; i < Math.min(CONTROLS, (f + 1) * 1000); i++) {
      lines.push(
        `  - { key: ${keys[i]}, title: Control ${i}, description: Bench control, owner: ${DEPARTMENTS[i % DEPARTMENTS.length]}, cadence: monthly, evidence: [x], maps: { bench: [${refs[i % refs.length]}] } }`,
      );
    }
    writeFileSync(join(catalogDir, 'controls', `c${f}.yaml`), lines.join('\n') + '\n');
  }

  const cluster = process.env.DATABASE_URL
    ? null
    : new EmbeddedCluster({ dataDir: join(work, 'pg'), throwaway: true, maxConnections: 100 });
  const url = process.env.DATABASE_URL ?? (await cluster.start()).url;
  const env = {
    ...process.env,
    DATABASE_URL: url,
    CONTROLS_DIR: catalogDir,
    DATA_DIR: join(work, 'data'),
    BLOB_STORE: 'filesystem',
    BLOB_DIR: blobDir,
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
    DEMO: '0',
  };
  try {
    // Migrate and sync the catalog as the server does at start.
    const app = await createApp(loadConfig(env));
    await app.init();
    await app.close();

    // Evidence: ITEMS files written straight into the filesystem blob store, rows inserted in batches.
    const size = Math.floor((TOTAL_MB * 1024 * 1024) / ITEMS);
    const pool = randomBytes(size + 1024 * 1024);
    const db = new Client({ connectionString: url });
    await db.connect();
    const controlIds = new Map((await db.query(`SELECT id, key FROM controls`)).rows.map((r) => [r.key, r.id]));
    let t = Date.now();
    const dayMs = (Date.parse(`${TO}T00:00:00+07:00`) - Date.parse(`${FROM}T00:00:00+07:00`)) / 86_400_000;
    for (let start = 0; start < ITEMS; start += 1000) {
      const batch = { sha: [], size: [], id: [], control: [], date: [], name: [] };
      for (let i = start; i < Math.min(ITEMS, start + 1000); i++) {
        const bytes = Buffer.from(pool.subarray((i * 7919) % (1024 * 1024), ((i * 7919) % (1024 * 1024)) + size));
        bytes.write('%PDF-1.7\n', 0, 'latin1');
        bytes.writeUInt32BE(i, 9);
        const sha = createHash('sha256').update(bytes).digest('hex');
        const dir = join(blobDir, sha.slice(0, 2), sha.slice(2, 4));
        mkdirSync(dir, { recursive: true });
        const fd = openSync(join(dir, sha), 'w');
        writeSync(fd, bytes);
        closeSync(fd);
        batch.sha.push(sha);
        batch.size.push(size);
        batch.control.push(controlIds.get(keys[i % CONTROLS]));
        batch.date.push(new Date(Date.parse(`${FROM}T00:00:00+07:00`) + Math.floor((i / ITEMS) * dayMs) * 86_400_000));
        batch.name.push(`report-${i}.pdf`);
      }
      await db.query('BEGIN');
      await db.query(
        `INSERT INTO blobs (sha256, size, media_type, chunk_size, store) SELECT unnest($1::text[]), unnest($2::bigint[]), 'application/pdf', 1048576, 'filesystem'`,
        [batch.sha, batch.size],
      );
      const ids = (
        await db.query(
          `INSERT INTO evidence (kind, title, source, collected_at, evidence_date, period_start, period_end)
           SELECT 'file', 'Bench evidence ' || n, 'api', d, d, $2, $3 FROM unnest($1::timestamptz[]) WITH ORDINALITY AS x(d, n) RETURNING id`,
          [batch.date, FROM, TO],
        )
      ).rows.map((r) => r.id);
      await db.query(
        `INSERT INTO evidence_controls (evidence_id, control_id) SELECT unnest($1::uuid[]), unnest($2::uuid[])`,
        [ids, batch.control],
      );
      await db.query(
        `INSERT INTO evidence_files (evidence_id, n, sha256, filename, size, media_type) SELECT unnest($1::uuid[]), 1, unnest($2::text[]), unnest($3::text[]), unnest($4::bigint[]), 'application/pdf'`,
        [ids, batch.sha, batch.name, batch.size],
      );
      await db.query('COMMIT');
    }
    await db.end();
    console.log(
      `Attest pack bench: ${CONTROLS} controls, ${ITEMS} evidence items of ${size} bytes (${((ITEMS * size) / 1048576).toFixed(0)} MB), BLOB_STORE=filesystem, ${cpus().length} cores, node ${process.version}`,
    );
    console.log(
      `${'generate evidence (files + rows)'.padEnd(40)} ${((Date.now() - t) / 1000).toFixed(1).padStart(7)} s`,
    );

    spawnSync('sh', ['-c', `find "${blobDir}" -type f -print0 | xargs -0 cat > /dev/null`]); // warm the page cache for both
    const floor = timed(
      'sha256sum over the same bytes',
      'sh',
      ['-c', `find "${blobDir}" -type f -print0 | sort -z | xargs -0 cat | sha256sum`],
      env,
    );
    const out = join(work, 'pack.zip');
    const build = timed(
      'attest pack build (CLI process)',
      process.execPath,
      [
        ...(process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : []),
        join(dist, 'cli.js'),
        ...['pack', 'build', '--framework', 'bench', '--from', FROM, '--to', TO, '--out', out],
      ],
      env,
    );
    // Where the time and memory went, from the build's progress lines (stage, seconds since start, RSS then).
    const lines = build.stderr.split('\n').filter((l) => /% (collecting|rendering|signing|zipping|done)/.test(l));
    const firstOf = new Map();
    for (const l of lines) firstOf.set(/% (\w+)/.exec(l)[1], firstOf.get(/% (\w+)/.exec(l)[1]) ?? l.trim());
    for (const l of firstOf.values()) console.log(`  ${l}`);
    console.log(`  ZIP ${(statSync(out).size / 1048576).toFixed(0)} MB; ${build.stdout.trim().split('\n').pop()}`);
    const verify = timed(
      'attest pack verify (CLI process)',
      process.execPath,
      [join(dist, 'cli.js'), 'pack', 'verify', out],
      env,
    );
    if (process.env.KEEP) console.log(`kept ${work}`);
    const ratio = (r) => `${(r.seconds / Math.max(floor.seconds, 0.01)).toFixed(1)}x`;
    console.log(
      `pack build ${build.seconds.toFixed(1)} s, ${ratio(build)} its floor (sha256sum over the same bytes, ${floor.seconds.toFixed(1)} s); pack verify ${ratio(verify)}`,
    );
  } finally {
    if (cluster) await cluster.stop();
    if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
