#!/usr/bin/env node
// Catalog sync figures (run through bench/catalog.sh, which builds first). Uses the built services (dist/)
// as `attest catalog sync` does. The last line is the first sync against its floor: one INSERT … SELECT
// FROM unnest(…) of the same controls into a scratch table of the same shape, on the same server.
// Prints figures only; asserts nothing.
'use strict';
require('reflect-metadata');
const { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } = require('node:fs');
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

/** The floor: the same controls' columns inserted by one statement into a scratch table shaped like controls (its indexes too). */
async function floorMs(url, controls) {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`CREATE TEMP TABLE floor_controls (LIKE controls INCLUDING ALL)`);
    const col = (f) => controls.map(f);
    const t = process.hrtime.bigint();
    await db.query(
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
    );
    return Number(process.hrtime.bigint() - t) / 1e6;
  } finally {
    await db.end();
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
    const run = async (label, cat) => {
      const t0 = process.hrtime.bigint();
      const r = await sync.sync(cat, 'system:bench');
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      console.log(
        `${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms   (${r.created.length} created, ${r.updated.length} updated, ${r.retired.length} retired, ${r.unchanged} unchanged)`,
      );
      return ms;
    };
    const first = await run('first sync (every item created)', catalog);
    await run('second sync (nothing changed)', catalog);
    const edited = {
      ...catalog,
      controls: catalog.controls.map((c, i) => (i % 10 === 0 ? { ...c, title: `${c.title} revised` } : c)),
    };
    await run('a tenth of the titles changed', edited);
    const floor = await floorMs(url, catalog.controls);
    console.log(
      `catalog sync, ${CONTROLS.toLocaleString('en-US')} controls: ${first.toFixed(0)} ms, ${(first / floor).toFixed(1)}x its floor (one INSERT … SELECT FROM unnest of the same controls, ${floor.toFixed(0)} ms)`,
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
