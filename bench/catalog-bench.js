#!/usr/bin/env node
// Catalog sync figures (run through bench/catalog.sh, which builds first). Uses the built services (dist/)
// as `attest catalog sync` does. Each case is printed with its wall time and the CPU time of this process
// (the sync's JavaScript) and of the embedded PostgreSQL (all its processes; these hardly move with the
// load other work puts on the machine). The last line is each case against its floor, one set-based
// statement on the same server: the first sync against one INSERT … SELECT FROM unnest(…) of the same
// controls into a scratch table of the same shape; the unchanged sync against one SELECT of every stored
// control's key and content hash (what it must read to know nothing changed); the tenth changed against
// one UPDATE … FROM unnest(…) of those controls' titles in that scratch table. Prints figures only.
'use strict';
require('reflect-metadata');
const {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  chmodSync,
} = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { NestFactory } = require('@nestjs/core');
const { Client } = require('pg');

const dist = (p) => require(join(__dirname, '..', 'dist', 'src', p));
const { EmbeddedCluster } = dist('postgres/embedded-cluster');
const { loadConfig } = dist('config/config');
const { CliModule } = dist('cli/cli.module');
const { loadCatalog } = dist('catalog/catalog-loader');
const { CatalogSyncService } = dist('catalog/catalog-sync.service');

const CONTROLS = Number(process.env.CONTROLS ?? 5000);
const DEPARTMENTS = ['compliance', 'provider-ops', 'clinical', 'privacy', 'engineering', 'support'];

/** controls/ with one framework of 100 requirements and CONTROLS controls in files of 1,000. */
function writeCatalog(dir) {
  mkdirSync(join(dir, 'frameworks'), { recursive: true });
  mkdirSync(join(dir, 'controls'), { recursive: true });
  copyFileSync(join(__dirname, '..', 'controls', 'departments.yaml'), join(dir, 'departments.yaml'));
  const refs = Array.from({ length: 100 }, (_, i) => `R${i + 1}`);
  writeFileSync(
    join(dir, 'frameworks', 'bench.yaml'),
    `framework: bench\nname: Bench\nversion: "1"\nrequirements:\n${refs.map((r) => `  - { ref: ${r}, group: G, title: Requirement ${r} }`).join('\n')}\n`,
  );
  for (let f = 0; f * 1000 < CONTROLS; f++) {
    const lines = ['controls:'];
    for (let i = f * 1000; i < Math.min(CONTROLS, (f + 1) * 1000); i++) {
      const key = `B${String.fromCharCode(65 + Math.floor(i / 1000))}-${String(i % 1000).padStart(3, '0')}`;
      lines.push(
        `  - { key: ${key}, title: Control ${i}, description: Bench control ${i}, owner: ${DEPARTMENTS[i % DEPARTMENTS.length]}, cadence: weekly, evidence: [x], maps: { bench: [${refs[i % 100]}, ${refs[(i + 1) % 100]}] } }`,
      );
    }
    writeFileSync(join(dir, 'controls', `c${f}.yaml`), lines.join('\n') + '\n');
  }
}

/** CPU ticks (user + system) of a process, and of its reaped children with `withChildren`; from /proc. */
function ticksOf(pid, withChildren = false) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields after "(comm) ": [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime.
    return {
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0),
    };
  } catch {
    return { ppid: -1, ticks: 0 }; // the process has just ended
  }
}

/** CPU seconds so far of this process and of the embedded PostgreSQL (postmaster, its processes, the reaped). */
function cpuNow(postmaster) {
  const { user, system } = process.cpuUsage();
  let postgres = NaN;
  if (postmaster) {
    postgres = ticksOf(postmaster, true).ticks;
    for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      const c = ticksOf(p);
      if (c.ppid === postmaster) postgres += c.ticks;
    }
    postgres /= 100; // USER_HZ
  }
  return { node: (user + system) / 1e6, postgres };
}

/** Wall milliseconds and CPU seconds (this process, PostgreSQL) of `fn`. */
async function measure(postmaster, fn) {
  const cpu0 = cpuNow(postmaster);
  const t = process.hrtime.bigint();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const cpu1 = cpuNow(postmaster);
  return { result, ms, node: cpu1.node - cpu0.node, postgres: cpu1.postgres - cpu0.postgres };
}

const cpuText = (m) => `node CPU ${m.node.toFixed(2)} s, PostgreSQL CPU ${m.postgres.toFixed(2)} s`;

/**
 * The floors, each one set-based statement on the same server: the same controls' columns inserted into a
 * scratch table shaped like controls (its indexes too); every stored control's key and content hash read;
 * the changed titles written into that scratch table.
 */
async function floors(url, postmaster, controls, edited) {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`CREATE TEMP TABLE floor_controls (LIKE controls INCLUDING ALL)`);
    const col = (f) => controls.map(f);
    const insert = await measure(postmaster, () =>
      db.query(
        `INSERT INTO floor_controls (key, title, description, owner_department, cadence, evidence_guidance, collector,
                                     position, source_file, content_hash)
         SELECT k, t, d, o, c::control_cadence, e::jsonb, col, p, s, h
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::integer[], $9::text[], $10::text[]) AS u(k, t, d, o, c, e, col, p, s, h)`,
        [
          col((c) => c.key),
          col((c) => c.title),
          col((c) => c.description),
          col((c) => c.owner),
          col((c) => c.cadence),
          col((c) => JSON.stringify(c.evidence)),
          col((c) => c.collector),
          col((c) => c.position),
          col((c) => c.file),
          col((c) => c.key.padEnd(64, '0')),
        ],
      ),
    );
    const read = await measure(postmaster, () => db.query(`SELECT key, content_hash FROM controls`));
    const changed = edited.filter((c, i) => c.title !== controls[i].title);
    const update = await measure(postmaster, () =>
      db.query(
        `UPDATE floor_controls f SET title = u.t, version = f.version + 1
           FROM unnest($1::text[], $2::text[]) AS u(k, t) WHERE f.key = u.k`,
        [changed.map((c) => c.key), changed.map((c) => c.title)],
      ),
    );
    return { insert, read, update };
  } finally {
    await db.end();
  }
}

/** The postmaster's pid of the embedded cluster under `dir` (its own postmaster.pid), or null. */
function postmasterOf(dir) {
  try {
    return Number(readFileSync(join(dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    return null;
  }
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'attest-catalog-bench-'));
  chmodSync(work, 0o755); // as root, PostgreSQL runs as the postgres user and must enter it
  writeCatalog(join(work, 'controls'));
  const cluster = process.env.DATABASE_URL
    ? null
    : new EmbeddedCluster({ dataDir: join(work, 'pg'), throwaway: true, maxConnections: 100 });
  const url = process.env.DATABASE_URL ?? (await cluster.start()).url;
  const config = loadConfig({
    DATABASE_URL: url,
    DATA_DIR: join(work, 'data'),
    LOG_LEVEL: 'silent',
    JOBS_ENABLED: 'false',
  });
  const ctx = await NestFactory.createApplicationContext(CliModule.forRoot(config, { identity: true }), {
    logger: false,
  });
  try {
    const sync = ctx.get(CatalogSyncService, { strict: false });
    console.log(
      `Catalog sync, ${CONTROLS.toLocaleString('en-US')} controls and 100 requirements — ${cluster ? 'throwaway embedded PostgreSQL' : 'DATABASE_URL'}, ${cpus().length} cores, node ${process.version}`,
    );
    let t = Date.now();
    const { catalog, problems } = loadCatalog(join(work, 'controls'));
    if (!catalog) throw new Error(`invalid bench catalog: ${problems.map((p) => p.message).join('; ')}`);
    console.log(`load and check controls/ (YAML): ${Date.now() - t} ms`);
    const postmaster = cluster ? postmasterOf(join(work, 'pg')) : null;
    const run = async (label, cat) => {
      // Each case stores a fingerprint, as a start's sync does (its own, so no start skips a case).
      const m = await measure(postmaster, () => sync.sync(cat, 'system:bench', `bench ${label}`));
      const r = m.result;
      console.log(
        `${label.padEnd(34)} ${m.ms.toFixed(0).padStart(6)} ms   (${r.created.length} created, ${r.updated.length} updated, ${r.retired.length} retired, ${r.unchanged} unchanged; ${cpuText(m)})`,
      );
      return m;
    };
    const first = await run('first sync (every item created)', catalog);
    const unchanged = await run('second sync (nothing changed)', catalog);
    const edited = {
      ...catalog,
      controls: catalog.controls.map((c, i) => (i % 10 === 0 ? { ...c, title: `${c.title} revised` } : c)),
    };
    const tenth = await run('a tenth of the titles changed', edited);
    const floor = await floors(url, postmaster, catalog.controls, edited.controls);
    console.log(
      `floors: INSERT of the controls ${floor.insert.ms.toFixed(0)} ms (${cpuText(floor.insert)}); SELECT of their keys and hashes ${floor.read.ms.toFixed(0)} ms; UPDATE of the changed titles ${floor.update.ms.toFixed(0)} ms`,
    );
    const vs = (m, f) => `${m.ms.toFixed(0)} ms, ${(m.ms / f.ms).toFixed(1)}x its floor (${f.ms.toFixed(0)} ms)`;
    console.log(
      `catalog sync, ${CONTROLS.toLocaleString('en-US')} controls: first ${vs(first, floor.insert)}; unchanged ${vs(unchanged, floor.read)}; a tenth changed ${vs(tenth, floor.update)}`,
    );
  } finally {
    await ctx.close();
    if (cluster) await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`catalog bench failed: ${e.stack || e.message}`);
  process.exitCode = 1;
});
