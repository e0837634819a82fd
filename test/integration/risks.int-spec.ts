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

it('a page carries the total of the whole list, at any offset, with and without a filter (issue 15)', async () => {
  const repo = new RisksRepository(ds);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ risk: riskArb, versions: fc.integer({ min: 0, max: 3 }) }), { minLength: 0, maxLength: 12 }),
      actorArb,
      fc.constantFrom(undefined, 'iso14971' as const, 'security' as const),
      fc.integer({ min: 1, max: 5 }),
      async (risks, a, register, limit) => {
        await ds.query('TRUNCATE risks CASCADE');
        for (const [i, { risk: r, versions }] of risks.entries()) {
          const [{ id }] = await ds.query(
            `INSERT INTO risks (register, ref, product, title, severity, probability, level, owner_user_id, version) VALUES ($1, $2, 'p', 't', 'S1', 'improbable', 'acceptable', $3, $4) RETURNING id`,
            [r.register, `R-${String(i).padStart(2, '0')}`, PEOPLE[r.owner], Math.max(1, versions)],
          );
          // Several versions of one risk must still count it once.
          for (let v = 1; v <= versions; v++)
            await ds.query(
              `INSERT INTO risk_versions (risk_id, version, actor, after) VALUES ($1, $2, 'user:test', '{}'::jsonb)`,
              [id, v],
            );
        }
        const ability = abilityFor({
          kind: 'user',
          id: PEOPLE[a.me],
          email: 'x',
          name: 'x',
          role: a.role,
          departmentId: a.department,
          departmentKey: a.department,
          via: 'session',
        });
        const expected = (await ds.manager.find(Risk)).filter(
          (r) => ability.can('read', asSubject('Risk', r)) && (!register || r.register === register),
        );
        const whole = await repo.listVisible(ability, { register }, { limit: 1000, offset: 0 });
        expect(whole.total).toBe(expected.length);
        expect(whole.rows.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
        for (let offset = 0; offset <= expected.length + limit; offset += limit) {
          const page = await repo.listVisible(ability, { register }, { limit, offset });
          expect(page.total).toBe(expected.length);
          expect(page.rows.map((r) => r.id)).toEqual(whole.rows.slice(offset, offset + limit).map((r) => r.id));
        }
      },
    ),
    { numRuns: 25 },
  );
});
