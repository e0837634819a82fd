// The demo patient platform: a PostgreSQL database of synthetic patients (schema and seeding in
// demo-platform.sql.ts) that the embedded default registers as a data system, so DSR flows and drills work
// out of the box. Its data map is controls/data-systems/patient-platform.yaml.
import { Client } from 'pg';
import { IDENTIFIER } from '../domain/data-map';
import { DEMO_CONSTRAINTS, DEMO_RESET_IDENTITIES, DEMO_SEED_PEOPLE, DEMO_TABLES } from './demo-platform.sql';

export const DEMO_PLATFORM_DATABASE = 'attest_demo_platform';
export const DEFAULT_DEMO_PEOPLE = 3000;

export interface DemoPlatformResult {
  /** The tables were created by this call. */
  created: boolean;
  /** People were seeded by this call (only into an empty platform). */
  seeded: boolean;
  /** Patients in the platform now. */
  patients: number;
}

/**
 * Creates the demo platform's tables in the database at `url` when they are missing and seeds `people`
 * synthetic people (ids 1 … people) when `patients` is empty; otherwise leaves it alone. One transaction,
 * under an advisory lock, so concurrent starts do not both create or seed.
 */
export async function createDemoPlatform(url: string, options: { people?: number } = {}): Promise<DemoPlatformResult> {
  const people = options.people ?? DEFAULT_DEMO_PEOPLE;
  if (!Number.isInteger(people) || people < 0 || people > 10_000_000)
    throw new RangeError(`people must be a whole number from 0 to 10,000,000, not ${people}`);
  const client = new Client({ connectionString: url, application_name: 'attest-demo-platform' });
  await client.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('attest-demo-platform'))`);
      const created = (await client.query(`SELECT to_regclass('patients') IS NULL AS missing`)).rows[0]
        .missing as boolean;
      if (created) await client.query(DEMO_TABLES);
      const empty =
        created || (await client.query('SELECT NOT EXISTS (SELECT 1 FROM patients) AS empty')).rows[0].empty;
      if (empty && people > 0) await seedDemoPeople(client, 1, people);
      // Foreign keys and indexes after the first load: validating and building them once is much faster.
      if (created) await client.query(DEMO_CONSTRAINTS);
      await client.query('COMMIT');
      const patients = Number((await client.query('SELECT count(*) AS n FROM patients')).rows[0].n);
      return { created, seeded: empty && people > 0, patients };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  } finally {
    await client.end();
  }
}

/**
 * Inserts people with ids `from` … `to` and their related rows (set-based; deterministic in the id), then
 * moves the identity sequences past them. Runs on the caller's client (and transaction).
 */
export async function seedDemoPeople(client: Client, from: number, to: number): Promise<void> {
  for (const statement of DEMO_SEED_PEOPLE) await client.query(statement, [from, to]);
  await client.query(DEMO_RESET_IDENTITIES);
}

/**
 * Creates the database `name` on the server at `adminUrl` when it does not exist, and returns the URL of
 * that database (the admin URL with its database replaced).
 */
export async function ensureDemoPlatformDatabase(adminUrl: string, name = DEMO_PLATFORM_DATABASE): Promise<string> {
  if (!IDENTIFIER.test(name)) throw new RangeError(`not a valid database name: ${JSON.stringify(name)}`);
  const client = new Client({ connectionString: adminUrl, application_name: 'attest-demo-platform' });
  await client.connect();
  try {
    const exists = (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
    if (!exists) {
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } catch (e) {
        // Another process created it first (duplicate_database, or the catalog's unique index in a close race).
        const code = (e as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw e;
      }
    }
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
