// The risk list's SQL filter and the in-memory ability agree: for generated risks (both registers,
// several owners) every actor's list from SQL equals the rows `ability.can('read', row)` accepts.
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { abilityFor } from '../../src/authz/ability.factory';
import { asSubject } from '../../src/authz/subject';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { ROLES, type UserActor } from '../../src/authz/actor';
import { Risk } from '../../src/risks/risk.entity';
import { RisksRepository } from '../../src/risks/risks.repository';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
});
afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const PEOPLE = [randomUUID(), randomUUID(), randomUUID()];
const riskArb = fc.record({
  register: fc.constantFrom('iso14971' as const, 'security' as const),
  owner: fc.integer({ min: 0, max: 2 }),
});
const actorArb = fc.record({
  role: fc.constantFrom(...ROLES),
  me: fc.integer({ min: 0, max: 2 }),
  department: fc.constantFrom('clinical', 'engineering', null),
});

it('SQL filter == in-memory ability, for every role and department, on generated risks', async () => {
  const repo = new RisksRepository(ds);
  await fc.assert(
    fc.asyncProperty(
      fc.array(riskArb, { minLength: 1, maxLength: 15 }),
      fc.array(actorArb, { minLength: 1, maxLength: 6 }),
      async (risks, actors) => {
        await ds.query('TRUNCATE risks CASCADE');
        for (const [i, r] of risks.entries()) {
          await ds.query(
            `INSERT INTO risks (register, ref, product, title, severity, probability, level, owner_user_id, version) VALUES ($1, $2, 'p', 't', 'S1', 'improbable', 'acceptable', $3, 1)`,
            [r.register, `R-${i}`, PEOPLE[r.owner]],
          );
        }
        const all = await ds.manager.find(Risk);
        for (const a of actors) {
          const actor: UserActor = {
            kind: 'user',
            id: PEOPLE[a.me],
            email: 'x',
            name: 'x',
            role: a.role,
            departmentId: a.department,
            departmentKey: a.department,
            via: 'session',
          };
          const ability = abilityFor(actor);
          const sql = (await repo.listVisible(ability, {}, { limit: 1000, offset: 0 })).rows.map((r) => r.id).sort();
          const memory = all
            .filter((r) => ability.can('read', asSubject('Risk', r)))
            .map((r) => r.id)
            .sort();
          expect(sql).toEqual(memory);
        }
      },
    ),
    { numRuns: 25 },
  );
});
