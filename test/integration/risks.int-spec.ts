// The risk list's SQL filter and the in-memory ability agree: for generated risks (both registers,
// several owners) every actor's list from SQL equals the rows `ability.can('read', row)` accepts.
import { createMongoAbility } from '@casl/ability';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { abilityFor, type AppAbility } from '../../src/authz/ability.factory';
import { caslWhere } from '../../src/authz/casl-sql';
import { asSubject } from '../../src/authz/subject';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { ROLES, type UserActor } from '../../src/authz/actor';
import { Risk } from '../../src/risks/risk.entity';
import { RisksRepository, type RiskListFilter } from '../../src/risks/risks.repository';
import { RiskVersion } from '../../src/risks/risk-version.entity';
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

it('a manager’s list (every version readable: no join over the versions) is the list the version join gives (issue 15)', async () => {
  const repo = new RisksRepository(ds);
  const manager = abilityFor({
    kind: 'user',
    id: PEOPLE[0],
    email: 'x',
    name: 'x',
    role: 'compliance_manager',
    departmentId: null,
    departmentKey: null,
    via: 'session',
  });
  // The same reads, but the versions behind a condition every version meets: the general path (the join).
  const joined = createMongoAbility([
    { action: 'read', subject: 'Risk' },
    { action: 'read', subject: 'RiskVersion', conditions: { register: { $in: ['iso14971', 'security'] } } },
  ]) as unknown as AppAbility;
  expect(caslWhere(ds.manager.createQueryBuilder(RiskVersion, 'v'), manager, 'read', 'RiskVersion').sql).toBe('TRUE');
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          risk: riskArb,
          versions: fc.integer({ min: 0, max: 3 }),
          status: fc.constantFrom('open', 'closed'),
          residual: fc.boolean(),
        }),
        { minLength: 0, maxLength: 12 },
      ),
      fc.constantFrom<RiskListFilter>(
        {},
        { register: 'security' },
        { status: 'open' },
        { q: 'R-1' },
        { ownerUserId: PEOPLE[1] },
      ),
      fc.integer({ min: 1, max: 5 }),
      async (risks, filter, limit) => {
        await ds.query('TRUNCATE risks CASCADE');
        for (const [i, r] of risks.entries()) {
          // As RiskRecords writes them: the current row is the newest version (none for a risk from before versions).
          const [{ id }] = await ds.query(
            `INSERT INTO risks (register, ref, product, title, severity, probability, level, residual_severity, residual_probability, residual_level, status, owner_user_id, version)
             VALUES ($1, $2, 'p', 't', 'S2', 'improbable', 'acceptable', $3, $4, $5, $6, $7, $8) RETURNING id`,
            [
              r.risk.register,
              `R-${String(i).padStart(2, '0')}`,
              r.residual ? 'S1' : null,
              r.residual ? 'improbable' : null,
              r.residual ? 'acceptable' : null,
              r.status,
              PEOPLE[r.risk.owner],
              Math.max(1, r.versions),
            ],
          );
          for (let v = 1; v <= r.versions; v++)
            await ds.query(
              `INSERT INTO risk_versions (risk_id, version, actor, after) VALUES ($1, $2, 'user:test', $3::jsonb)`,
              [id, v, JSON.stringify({ status: v === r.versions ? r.status : 'open', title: `old ${v}` })],
            );
        }
        const page = { limit, offset: 0 };
        const fast = await repo.listVisible(manager, filter, page);
        const general = await repo.listVisible(joined, filter, page);
        expect(fast.total).toBe(general.total);
        expect(fast.rows.map((r) => [r.id, r.version, r.status])).toEqual(
          general.rows.map((r) => [r.id, r.version, r.status]),
        );
        // Cells come in no defined order.
        const cells = async (ability: AppAbility) => {
          const { before, after, unassessed } = await repo.heatmapCounts(ability, filter);
          const sorted = (c: { severity: string; probability: string }[]) => c.map((x) => JSON.stringify(x)).sort();
          return { before: sorted(before), after: sorted(after), unassessed };
        };
        expect(await cells(manager)).toEqual(await cells(joined));
        for (const r of general.rows)
          expect((await repo.findVisible(manager, r.id)).rows).toEqual((await repo.findVisible(joined, r.id)).rows);
      },
    ),
    { numRuns: 25 },
  );
});
