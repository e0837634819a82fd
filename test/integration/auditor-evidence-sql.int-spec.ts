// The auditor's evidence rules (evidence date within an engagement's period, serving a control of its
// frameworks) must select the same rows in SQL (casl-sql with the `controlIds` virtual field compiled to
// the link table) as in memory (`ability.can('read', row-with-controlIds)`), for generated engagements.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { abilityFor } from '../../src/authz/ability.factory';
import { asSubject } from '../../src/authz/subject';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { EvidenceRepository } from '../../src/evidence/evidence.repository';
import type { ActorEngagement, UserActor } from '../../src/authz/actor';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;
const CONTROLS = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const rows: { id: string; evidenceDate: Date; controlIds: string[] }[] = [];
const DAY = 86_400_000;
const START = Date.parse('2025-01-01T00:00:00+07:00');

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
  // 80 items over ~10 months, at midnight Bangkok and at odd instants, each serving 0..3 controls.
  const gen = fc.sample(
    fc.record({
      day: fc.integer({ min: 0, max: 300 }),
      ms: fc.constantFrom(0, 1, DAY - 1, 12 * 3_600_000),
      controls: fc.subarray(CONTROLS, { maxLength: 3 }),
    }),
    { numRuns: 80, seed: 42 },
  );
  for (const g of gen) {
    const evidenceDate = new Date(START + g.day * DAY + g.ms);
    const [{ id }] = await ds.query(
      `INSERT INTO evidence (kind, title, source, collected_at, evidence_date, period_start, period_end) VALUES ('link', 't', 'api', now(), $1, '2025-01-01', '2025-12-31') RETURNING id`,
      [evidenceDate],
    );
    for (const c of g.controls)
      await ds.query(`INSERT INTO evidence_controls (evidence_id, control_id) VALUES ($1, $2)`, [id, c]);
    rows.push({ id, evidenceDate, controlIds: g.controls });
  }
});
afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const day = (n: number) => new Date(START + n * DAY + 7 * 3_600_000).toISOString().slice(0, 10);
const engagementArb = fc
  .record({
    a: fc.integer({ min: -5, max: 305 }),
    b: fc.integer({ min: -5, max: 305 }),
    controls: fc.subarray(CONTROLS),
  })
  .map(({ a, b, controls }): ActorEngagement => ({
    id: randomUUID(),
    frameworks: ['soc2'],
    from: day(Math.min(a, b)),
    to: day(Math.max(a, b)),
    expiresAt: new Date(Date.now() + DAY),
    controlIds: controls,
  }));

it('SQL filter == in-memory ability for auditors with 0..3 generated engagements', async () => {
  const repo = new EvidenceRepository(ds);
  await fc.assert(
    fc.asyncProperty(fc.array(engagementArb, { maxLength: 3 }), async (engagements) => {
      const actor: UserActor = {
        kind: 'user',
        id: randomUUID(),
        email: 'a@x.test',
        name: 'a',
        role: 'auditor',
        departmentId: null,
        departmentKey: null,
        via: 'session',
        engagements,
      };
      const ability = abilityFor(actor);
      const expected = rows
        .filter((r) => ability.can('read', asSubject('Evidence', r)))
        .map((r) => r.id)
        .sort();
      if (engagements.length === 0) {
        expect(ability.can('read', 'Evidence')).toBe(false);
        return;
      }
      const { rows: listed } = await repo.list(ability, { limit: 1000, offset: 0 });
      expect(listed.map((r) => r.id).sort()).toEqual(expected);
    }),
    { numRuns: 60 },
  );
});
