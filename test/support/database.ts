import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ENV_ADMIN_URL, ENV_TEMPLATE_DB, requireEnv, withDatabase } from './test-env';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: requireEnv(ENV_ADMIN_URL) });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of its own for one test file: a copy of the migrated template (`migrated: true`, default)
 * or an empty one (`migrated: false`, for migration tests).
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const template = requireEnv(ENV_TEMPLATE_DB);
  const name = `${template.replace('attest_tpl_', 'attest_t_')}_${randomBytes(4).toString('hex')}`;
  const source = options.migrated === false ? 'template0' : template;
  await admin(async (c) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"`);
        return;
      } catch (e) {
        // Two files copying the template at the same instant can collide; the copy itself is safe to retry.
        if (attempt >= 5 || !/being accessed by other users/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  });
  return {
    name,
    url: withDatabase(requireEnv(ENV_ADMIN_URL), name),
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}
