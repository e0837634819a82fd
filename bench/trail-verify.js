#!/usr/bin/env node
// Verify alone, for comparing builds side by side (build first: npm run build). Seeds ENTRIES entries of the
// shape bench/trail-bench.js appends (bench/trail-entries.js) (with appendMany: seconds, not minutes) into a throwaway embedded
// cluster, then runs verify RUNS times, alternating between this build's dist/ and, when COMPARE_WITH names
// another build's dist/ directory, that one (same process, same database, same minutes). Per run: wall time,
// Node CPU (this process) and PostgreSQL CPU (the backends of the bench database, from /proc), and the floor
// (SHA-256 of the same bytes, one digest per entry, one core). Prints figures only; asserts nothing.
//   ENTRIES=100000 RUNS=5 COMPARE_WITH=/path/to/other/dist node bench/trail-verify.js
'use strict';
require('reflect-metadata');
const { hash, randomUUID } = require('node:crypto');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { loadavg, tmpdir } = require('node:os');
const { join } = require('node:path');

const ENTRIES = Number(process.env.ENTRIES || 100000);
const RUNS = Number(process.env.RUNS || 5);
const { benchEntry } = require('./trail-entries');
const builds = [{ name: 'this build', dist: join(__dirname, '..', 'dist') }];
if (process.env.COMPARE_WITH) builds.push({ name: process.env.COMPARE_WITH, dist: process.env.COMPARE_WITH });

async function open(build, config) {
  const from = (p) => require(join(build.dist, 'src', p));
  const { NestFactory } = require(join(build.dist, '..', 'node_modules', '@nestjs', 'core'));
  const ctx = await NestFactory.createApplicationContext(from('cli/cli.module').CliModule.forRoot(config), {
    logger: false,
  });
  return { ...build, ctx, from, trail: ctx.get(from('audit-trail/audit-trail.service').AuditTrailService) };
}

async function seed(app) {
  const ds = app.ctx.get(require(join(app.dist, '..', 'node_modules', 'typeorm')).DataSource);
  const actors = Array.from({ length: 20 }, () => `user:${randomUUID()}`);
  for (let start = 0; start < ENTRIES; start += 5000) {
    const batch = Array.from({ length: Math.min(5000, ENTRIES - start) }, (_, k) => {
      const i = start + k;
      return benchEntry(i, actors);
    });
    await ds.transaction((m) => app.trail.appendMany(batch, m));
  }
  await ds.query('VACUUM ANALYZE audit_log');
  return ds;
}

/** CPU seconds of the PostgreSQL backends connected to the bench database (user + system, from /proc). */
async function backendCpu(ds) {
  const rows = await ds.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}

async function floorMs(ds) {
  const rows = await ds.query('SELECT prev_hash, canonical FROM audit_log ORDER BY seq');
  const items = rows.map((r) => Buffer.concat([Buffer.from(r.prev_hash, 'hex'), Buffer.from(r.canonical, 'utf8')]));
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t = process.hrtime.bigint();
    for (const b of items) hash('sha256', b, 'hex');
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

async function main() {
  const own = (p) => require(join(builds[0].dist, 'src', p));
  const pgDir = mkdtempSync(join(tmpdir(), 'attest-bench-pg-'));
  const dir = mkdtempSync(join(tmpdir(), 'attest-bench-verify-'));
  const cluster = new (own('postgres/embedded-cluster').EmbeddedCluster)({ dataDir: pgDir, throwaway: true });
  const { url } = await cluster.start();
  const config = own('config/config').loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: url,
    DATA_DIR: join(dir, 'data'),
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'silent',
  });
  const apps = [];
  try {
    for (const build of builds) apps.push(await open(build, config));
    await apps[0].ctx.get(own('database/database-status.service').DatabaseStatusService).migrate();
    const ds = await seed(apps[0]);
    const rate = (ms) => `${Math.round(ENTRIES / (ms / 1000)).toLocaleString('en-US')} entries/s`;
    console.log(`verify of ${ENTRIES.toLocaleString('en-US')} entries, load average ${loadavg()[0].toFixed(2)}`);
    for (let run = 0; run < RUNS; run++) {
      for (const app of apps) {
        const [pg0, cpu0, t0] = [await backendCpu(ds), process.cpuUsage(), process.hrtime.bigint()];
        const result = await app.trail.verify();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const cpu = process.cpuUsage(cpu0);
        const pg = (await backendCpu(ds)) - pg0;
        if (!result.ok || result.entries !== ENTRIES) throw new Error(`verify failed: ${JSON.stringify(result)}`);
        const node = (cpu.user + cpu.system) / 1e6;
        console.log(
          `${app.name.padEnd(24)} ${rate(ms).padStart(18)}  wall ${(ms / 1000).toFixed(2)} s  node CPU ${node.toFixed(2)} s  PostgreSQL CPU ${pg.toFixed(2)} s`,
        );
      }
    }
    const floor = await floorMs(ds);
    console.log(
      `floor: SHA-256 of the same bytes, one digest per entry: ${rate(floor)}; load average ${loadavg()[0].toFixed(2)}`,
    );
  } finally {
    for (const app of apps) await app.ctx.close();
    await cluster.stop();
    rmSync(pgDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`verify bench failed: ${e.stack || e.message}`);
  process.exitCode = 1;
});
