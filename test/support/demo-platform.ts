// The demo patient platform a test app creates next to its database (DSR_DEMO_PLATFORM=1): a client on it,
// real patients to file requests for, and clean-up; plus reading ZIPs (export packages) in tests.
import { Client } from 'pg';
import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { DemoPlatformBootstrap } from '../../src/dsr/demo-platform-bootstrap.service';
import type { TestApp } from './app';

export interface DemoPatient {
  /** bigint: pg returns it as text. */
  id: string;
  email: string;
  phone: string;
  national_id: string;
  first_name: string;
  last_name: string;
}

export interface DemoPlatform {
  url: string;
  client: Client;
  /** The n-th patient (by id) that still has an e-mail address. */
  patient(offset: number): Promise<DemoPatient>;
  /** Closes the client and drops the platform database. */
  close(): Promise<void>;
}

/** Makes sure the app's demo platform exists (created, seeded, registered) and connects to it. */
export async function openDemoPlatform(t: TestApp): Promise<DemoPlatform> {
  const url = await t.app.get(DemoPlatformBootstrap).ensure();
  const client = new Client({ connectionString: url });
  await client.connect();
  return {
    url,
    client,
    patient: async (offset) =>
      (
        await client.query<DemoPatient>(
          'SELECT id, email, phone, national_id, first_name, last_name FROM patients WHERE email IS NOT NULL ORDER BY id OFFSET $1 LIMIT 1',
          [offset],
        )
      ).rows[0],
    close: async () => {
      await client.end();
      const admin = new Client({ connectionString: t.db.url });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** Every file of a ZIP by name. */
export async function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    fromBuffer(bytes, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z!))),
  );
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      zip.openReadStream(entry, (e, stream) => {
        if (e) return reject(e);
        const chunks: Buffer[] = [];
        stream!.on('data', (c: Buffer) => chunks.push(c));
        stream!.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return files;
}
