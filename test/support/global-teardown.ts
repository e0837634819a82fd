import { Client } from 'pg';
import type { EmbeddedCluster } from '../../src/postgres/embedded-cluster';
import { ENV_ADMIN_URL, ENV_TEMPLATE_DB } from './test-env';

export default async function globalTeardown(): Promise<void> {
  const cluster = (globalThis as { attestTestCluster?: EmbeddedCluster }).attestTestCluster;
  if (cluster) {
    await cluster.stop(); // a throwaway cluster: stopping it also removes its directory
    return;
  }
  const adminUrl = process.env[ENV_ADMIN_URL];
  const template = process.env[ENV_TEMPLATE_DB];
  if (!adminUrl || !template) return;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // The template and any database a crashed test file left behind.
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [template, `${template.replace('attest_tpl_', 'attest_t_')}%`],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
