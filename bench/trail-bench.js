#!/usr/bin/env node
// Audit-trail figures (run through bench/trail.sh, which builds first): append throughput with WRITERS
// concurrent writers, verify speed, and the first checkpoint (which verifies the whole chain before
// signing), for ENTRIES entries. Uses the built services (dist/) exactly as the server does.
//   DATABASE_URL set: a scratch database on that server (the user needs CREATEDB), dropped afterwards.
//   unset: a throwaway embedded cluster in a temp dir (fsync off, like the tests), or a durable one with DURABLE=1.
// The last line is verify against its floor: SHA-256 of the same bytes on one core (hashFloor()).
// Prints figures only; asserts nothing.
'use strict';
require('reflect-metadata');
const { createHash, hash, randomBytes, randomUUID } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { NestFactory } = require('@nestjs/core');
const { Client } = require('pg');
const { DataSource } = require('typeorm');
const { benchEntry } = require('./trail-entries');

const dist = (p) => require(join(__dirname, '..', 'dist', 'src', p));
const { EmbeddedCluster } = dist('postgres/embedded-cluster');
const { loadConfig } = dist('config/config');
const { CliModule } = dist('cli/cli.module');
const { DatabaseStatusService } = dist('database/database-status.service');
const { AuditTrailService } = dist('audit-trail/audit-trail.service');
const { CheckpointService } = dist('audit-trail/checkpoint.service');

const ENTRIES = Number(process.env.ENTRIES || 100000);
const WRITERS = Number(process.env.WRITERS || 8);

const rate = (n, ms) => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} entries/s`;
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function openServer() {
  if (process.env.DATABASE_URL) {
    const name = `attest_bench_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      describe: `scratch database ${name} on DATABASE_URL`,
      close: async () => {
        const c = new Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const durable = process.env.DURABLE === '1';
  // A directory of its own: as root, PostgreSQL runs as the postgres user, which must be able to enter it.
  const pgDir = mkdtempSync(join(tmpdir(), 'attest-bench-pg-'));
  const cluster = new EmbeddedCluster({ dataDir: pgDir, throwaway: !durable, maxConnections: 100 });
  const { url } = await cluster.start();
  return {
    url,
    describe: durable
      ? 'embedded PostgreSQL, durable settings (fsync on)'
      : 'throwaway embedded PostgreSQL (fsync off, synchronous_commit off)',
    close: async () => {
      await cluster.stop();
      rmSync(pgDir, { recursive: true, force: true });
    },
  };
}

/**
 * The floor of verifying: SHA-256 over exactly the bytes the chain hashes (each entry's previous hash as 32
 * bytes followed by its canonical text), in memory on one core, best of three: one digest per entry (what
 * a chain needs), and the same bytes as one stream (what `sha256sum` would do).
 */
async function hashFloor(ds) {
  const rows = await ds.query('SELECT prev_hash, canonical FROM audit_log ORDER BY seq');
  const items = rows.map((r) => Buffer.concat([Buffer.from(r.prev_hash, 'hex'), Buffer.from(r.canonical, 'utf8')]));
  const all = Buffer.concat(items);
  const best = (run) =>
    Math.min(
      ...[0, 1, 2].map(() => {
        const t = process.hrtime.bigint();
        run();
        return Number(process.hrtime.bigint() - t) / 1e6;
      }),
    );
  return {
    bytes: all.length,
    perEntryMs: best(() => {
      for (const b of items) hash('sha256', b, 'hex');
    }),
    streamMs: best(() => createHash('sha256').update(all).digest('hex')),
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'attest-bench-trail-'));
  const server = await openServer();
  const config = loadConfig({
    NODE_ENV: 'development', // production would need the shared keys; the trail runs the same
    DATABASE_URL: server.url,
    DATA_DIR: join(dir, 'data'),
    JOBS_ENABLED: 'false',
    DB_POOL_SIZE: String(WRITERS + 2),
    LOG_LEVEL: 'silent',
  });
  const ctx = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: false });
  try {
    await ctx.get(DatabaseStatusService).migrate();
    const trail = ctx.get(AuditTrailService);
    const [{ server_version: version }] = await ctx.get(DataSource).query('SHOW server_version');
    console.log(
      `Audit trail, ${ENTRIES.toLocaleString('en-US')} entries, ${WRITERS} writers — ${server.describe}, PostgreSQL ${version}, ${cpus().length} cores, node ${process.version}`,
    );

    const actors = Array.from({ length: 20 }, () => `user:${randomUUID()}`);
    let next = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        for (let i = next++; i < ENTRIES; i = next++) {
          await trail.record(benchEntry(i, actors));
        }
      }),
    );
    const appendMs = Date.now() - t0;
    console.log(
      `append   ${rate(ENTRIES, appendMs).padStart(18)}   (${secs(appendMs)}; each entry its own transaction, ${WRITERS} concurrent writers)`,
    );

    // A trail in use has been vacuumed since its rows were written: verify then reads settled pages (hint bits
    // set) instead of racing autovacuum over 100,000 fresh single-row transactions.
    const tv = Date.now();
    await ctx.get(DataSource).query('VACUUM ANALYZE audit_log');
    console.log(`VACUUM ANALYZE audit_log: ${secs(Date.now() - tv)}`);
    let verifyMs = Infinity;
    for (const run of ['cold', 'warm', 'warm']) {
      const t = Date.now();
      const result = await trail.verify();
      const ms = Date.now() - t;
      if (!result.ok || result.entries !== ENTRIES) throw new Error(`verify did not pass: ${JSON.stringify(result)}`);
      console.log(`verify   ${rate(ENTRIES, ms).padStart(18)}   (${secs(ms)}, ${run})`);
      if (run === 'warm') verifyMs = Math.min(verifyMs, ms);
    }
    const floor = await hashFloor(ctx.get(DataSource));

    const t1 = Date.now();
    const first = await ctx.get(CheckpointService).writeNow();
    const firstMs = Date.now() - t1;
    await trail.record({ actor: 'system:bench', action: 'bench.done', subjectType: 'Bench' });
    const t2 = Date.now();
    await ctx.get(CheckpointService).writeNow();
    const nextMs = Date.now() - t2;
    console.log(
      `checkpoint: first ${secs(firstMs)} (verifies all ${first.written ? first.seq.toLocaleString('en-US') : '?'} entries before signing), next ${nextMs} ms (one new entry)`,
    );
    console.log(
      `floor: SHA-256 of the same bytes (prev hash ‖ canonical, ${(floor.bytes / 1e6).toFixed(1)} MB) on one core: one digest per entry ${rate(ENTRIES, floor.perEntryMs)}, one stream ${floor.streamMs.toFixed(0)} ms`,
    );
    console.log(
      `verify ${rate(ENTRIES, verifyMs)} (best warm run), ${(verifyMs / floor.perEntryMs).toFixed(1)}x its floor (SHA-256 of the same bytes, one digest per entry: ${rate(ENTRIES, floor.perEntryMs)})`,
    );
  } finally {
    await ctx.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`trail bench failed: ${e.stack || e.message}`);
  process.exitCode = 1;
});
