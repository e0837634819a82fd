// The SQL list filter and the in-memory ability must agree: for generated users, departments (with
// NULLs) and tokens, every role's list from SQL equals the rows `ability.can('read', row)` accepts.
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { abilityFor } from '../../src/authz/ability.factory';
import { asSubject } from '../../src/authz/subject';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { ROLES, type Role, type UserActor } from '../../src/authz/actor';
import { CredentialsRepository } from '../../src/identity/credentials.repository';
import { UsersRepository } from '../../src/identity/users.repository';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;
let deptIds: string[];

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
  const rows: { id: string }[] = await ds.query(
    `INSERT INTO departments (key, name) VALUES ('d-a', 'A'), ('d-b', 'B'), ('d-c', 'C') RETURNING id`,
  );
  deptIds = rows.map((r) => r.id);
});
afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const userArb = fc.record({
  role: fc.constantFrom(...ROLES),
  dept: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  active: fc.boolean(),
  tokens: fc.integer({ min: 0, max: 2 }),
});

it('SQL filter == in-memory ability for every role, on generated users and tokens', async () => {
  const users = new UsersRepository(ds);
  const credentials = new CredentialsRepository(ds);
  await fc.assert(
    fc.asyncProperty(fc.array(userArb, { minLength: 1, maxLength: 12 }), async (generated) => {
      await ds.query('TRUNCATE users CASCADE');
      const inserted = [];
      for (const [i, g] of generated.entries()) {
        const [u] = await ds.query(
          `INSERT INTO users (email, name, role, department_id, active) VALUES ($1, $2, $3, $4, $5) RETURNING id, role, department_id AS "departmentId", active`,
          [`u${i}@x.test`, `User ${i}`, g.role, g.dept === null ? null : deptIds[g.dept], g.active],
        );
        for (let t = 0; t < g.tokens; t++) {
          await ds.query(
            `INSERT INTO api_tokens (user_id, name, token_prefix, token_hash, expires_at) VALUES ($1, 't', 'atk_x', $2, now() + interval '1 day')`,
            [u.id, `${u.id}-${t}`],
          );
        }
        inserted.push(u as { id: string; role: Role; departmentId: string | null; active: boolean });
      }
      const allUsers = await users.listVisibleTo(
        abilityFor({
          kind: 'user',
          id: 'x',
          email: 'x',
          name: 'x',
          role: 'admin',
          departmentId: null,
          departmentKey: null,
          via: 'session',
        }),
        { limit: 1000, offset: 0 },
      );
      const allTokens: { id: string; userId: string }[] = await ds.query(
        `SELECT id, user_id AS "userId" FROM api_tokens`,
      );
      for (const me of inserted) {
        const actor: UserActor = {
          kind: 'user',
          id: me.id,
          email: 'x',
          name: 'x',
          role: me.role,
          departmentId: me.departmentId,
          departmentKey: null,
          via: 'session',
        };
        const ability = abilityFor(actor);
        const sqlUsers = (await users.listVisibleTo(ability, { limit: 1000, offset: 0 })).rows.map((r) => r.id).sort();
        const memUsers = allUsers.rows
          .filter((r) => ability.can('read', asSubject('User', r)))
          .map((r) => r.id)
          .sort();
        expect(sqlUsers).toEqual(memUsers);
        const sqlTokens = (
          await credentials.listApiTokensVisibleTo(ability, { limit: 1000, offset: 0, includeRevoked: true })
        ).rows
          .map((r) => r.id)
          .sort();
        const memTokens = allTokens
          .filter((t) => ability.can('read', asSubject('ApiToken', t)))
          .map((t) => t.id)
          .sort();
        expect(sqlTokens).toEqual(memTokens);
      }
    }),
    { numRuns: 40 },
  );
});

it('pages in SQL: total counts every visible row, items only the page', async () => {
  await ds.query('TRUNCATE users CASCADE');
  for (let i = 0; i < 7; i++)
    await ds.query(`INSERT INTO users (email, name, role, department_id) VALUES ($1, $2, 'viewer', $3)`, [
      `p${i}@x.test`,
      `P ${i}`,
      deptIds[0],
    ]);
  const owner: UserActor = {
    kind: 'user',
    id: '00000000-0000-0000-0000-000000000000',
    email: 'x',
    name: 'x',
    role: 'control_owner',
    departmentId: deptIds[0],
    departmentKey: null,
    via: 'session',
  };
  const page = await new UsersRepository(ds).listVisibleTo(abilityFor(owner), { limit: 3, offset: 3 });
  expect(page.total).toBe(7);
  expect(page.rows.map((r) => r.name)).toEqual(['P 3', 'P 4', 'P 5']);
});
