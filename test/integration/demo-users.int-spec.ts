// The demo users (DEMO=1, the embedded default): every persona seeded at the first start, none twice — at a
// restart, by a second instance on the same database, or when some already exist.
import { Client } from 'pg';
import { DEMO_USERS } from '../../src/identity/demo-users';
import { IdentityBootstrapService } from '../../src/identity/identity-bootstrap.service';
import { startTestApp } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/database';

let shared: TestDatabase;
let db: Client;
const emails = async () =>
  (await db.query(`SELECT email FROM users WHERE email LIKE '%@demo.local' ORDER BY email`)).rows.map(
    (r: { email: string }) => r.email,
  );

beforeAll(async () => {
  shared = await createTestDatabase();
  db = new Client({ connectionString: shared.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await shared?.drop();
});

it('the first start seeds one user per persona; a second instance and a second run seed none', async () => {
  const first = await startTestApp({ db: shared, env: { DEMO: '1' } });
  try {
    expect(await emails()).toEqual(DEMO_USERS.map((u) => u.email).sort());
    const second = await startTestApp({ db: shared, env: { DEMO: '1' } });
    await second.close();
    expect(await first.app.get(IdentityBootstrapService).seedDemoUsers()).toBe(0);
    expect(await emails()).toHaveLength(DEMO_USERS.length);
  } finally {
    await first.close();
  }
});

it('seeds only the personas that are missing', async () => {
  const [kept] = DEMO_USERS.map((u) => u.email);
  const keptId = (await db.query(`SELECT id FROM users WHERE email = $1`, [kept])).rows[0].id as string;
  await db.query(`UPDATE users SET email = 'renamed-' || email WHERE email <> $1 AND email LIKE '%@demo.local'`, [
    kept,
  ]);
  const t = await startTestApp({ db: shared, env: { DEMO: '1' } });
  try {
    const seeded = (await emails()).filter((e) => !e.startsWith('renamed-'));
    expect(seeded).toEqual(DEMO_USERS.map((u) => u.email).sort());
    expect((await db.query(`SELECT id FROM users WHERE email = $1`, [kept])).rows).toEqual([{ id: keptId }]);
  } finally {
    await t.close();
  }
});
