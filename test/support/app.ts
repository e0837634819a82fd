import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/configure-app';
import { AppConfig, loadConfig } from '../../src/config/config';
import { createTestDatabase, TestDatabase } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  db: TestDatabase;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The real application (same createApp as `npm start`) on its own test database, listening on a free
 * loopback port. `extra` mounts fixture controllers; `env` overrides settings. Scheduled jobs are off and
 * DATA_DIR (checkpoint files, signing key) is a temporary folder of its own, unless `env` says otherwise.
 * `db`: start on a database another instance uses (several instances); the caller drops it.
 */
export async function startTestApp(
  options: { extra?: Type<unknown>[]; env?: Record<string, string>; db?: TestDatabase } = {},
): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const dataDir = mkdtempSync(join(tmpdir(), 'attest-test-app-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JOBS_ENABLED: 'false',
    DATA_DIR: dataDir,
    DSR_DEMO_PLATFORM: 'false',
    ...options.env,
    DATABASE_URL: db.url,
    PORT: '0',
  });
  const app = await createApp(config, options.extra);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' }); // runs the start's hooks (catalog sync, seeding)
  } catch (e) {
    await app.close();
    if (!options.db) await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    config,
    db,
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      if (!options.db) await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
