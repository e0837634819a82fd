// Engagement scope on every auditor read, on generated data: for auditors with 1..3 generated engagements
// (random frameworks, periods and controls), the SQL lists of sweeps, sweep tasks and their counts, risks
// (as they stood at the period's end), risk versions and reviews, DSRs and drills return exactly what an
// oracle written here from the product rule allows — never a row outside the scope — and agree with the
// in-memory ability on every row. The oracle does not use the CASL rules: it restates the rule in README
// "Auditor engagements" (a sweep by its ISO week overlapping the period; a risk created before the period's
// end, as its newest version dated before the end; DSRs and drills by the day they were received or run).
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { abilityFor } from '../../src/authz/ability.factory';
import { asSubject } from '../../src/authz/subject';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { DsrRepository } from '../../src/dsr/dsr.repository';
import type { ActorEngagement, UserActor } from '../../src/authz/actor';
import { RISK_LEVELS } from '../../src/risks/domain/risk-matrix';
import { RisksRepository } from '../../src/risks/risks.repository';
import {
  addDays,
  formatDate,
  formatWeek,
  isoWeekOfDate,
  parseDate,
  parseWeek,
  weekMonday,
} from '../../src/common/time/calendar';
import { SweepsRepository } from '../../src/sweeps/sweeps.repository';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;
const DAY = 86_400_000;
const START = Date.parse('2025-01-01T00:00:00+07:00');
const SPAN = 430; // days of generated data
const CONTROLS = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const FRAMEWORKS = ['soc2', 'pdpa', 'iso14971', 'samd'];
/** The oracle's reading of which frameworks hold which register and the DSRs (README "Auditor engagements"). */
const REGISTER_OF: Record<string, string[]> = {
  soc2: ['security'],
  iso14971: ['iso14971'],
  samd: ['iso14971'],
  pdpa: [],
};
const DSR_FRAMEWORKS = ['pdpa', 'soc2'];
const STATUSES = ['open', 'controlled', 'accepted', 'closed'];

const day = (n: number) => formatDate(parseDate(new Date(START + n * DAY + 7 * 3_600_000).toISOString().slice(0, 10)));
const instant = (n: number, ms: number) => new Date(START + n * DAY + ms);
const ODD_MS = [0, 1, DAY - 1, 12 * 3_600_000];

interface SweepRow {
  id: string;
  week: string;
  tasks: { id: string; controlId: string }[];
}
interface VersionRow {
  version: number;
  at: Date;
  title: string;
  status: string;
}
interface RiskRow {
  id: string;
  register: 'iso14971' | 'security';
  createdAt: Date;
  versions: VersionRow[];
}
const sweeps: SweepRow[] = [];
const risks: RiskRow[] = [];
const reviews: { id: string; register: string; reviewedAt: Date }[] = [];
const dsrs: { id: string; receivedAt: Date }[] = [];
const drills: { id: string; startedAt: Date }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
  const weeks = [
    ...new Set(
      fc
        .sample(fc.integer({ min: 0, max: SPAN }), { numRuns: 45, seed: 7 })
        .map((n) => formatWeek(isoWeekOfDate(parseDate(day(n))))),
    ),
  ];
  const taskSets = fc.sample(fc.subarray(CONTROLS), { numRuns: weeks.length, seed: 8 });
  for (const [i, week] of weeks.entries()) {
    const [{ id }] = await ds.query(
      `INSERT INTO sweeps (week, opened_at, opened_by, due_at) VALUES ($1, now(), 'test', now()) RETURNING id`,
      [week],
    );
    const tasks = [];
    for (const controlId of taskSets[i]) {
      const [t] = await ds.query(
        `INSERT INTO sweep_tasks (sweep_id, control_id, control_key, control_title, owner_department, status, due_at) VALUES ($1, $2, 'K', 'T', 'd', $3, now()) RETURNING id`,
        [id, controlId, i % 3 === 0 ? 'completed' : 'open'],
      );
      tasks.push({ id: t.id as string, controlId });
    }
    sweeps.push({ id, week, tasks });
  }

  // Risks with 1..4 versions: the row holds the last one; each version has its own title and status.
  const riskGen = fc.sample(
    fc.record({
      register: fc.constantFrom('iso14971' as const, 'security' as const),
      created: fc.integer({ min: 0, max: SPAN }),
      ms: fc.constantFrom(...ODD_MS),
      gaps: fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 3 }),
    }),
    { numRuns: 40, seed: 9 },
  );
  for (const [i, g] of riskGen.entries()) {
    const createdAt = instant(g.created, g.ms);
    const versions: VersionRow[] = [{ version: 1, at: createdAt, title: `R${i} v1`, status: STATUSES[i % 4] }];
    let at = createdAt.getTime();
    for (const [j, gap] of g.gaps.entries()) {
      at += gap * DAY + 1;
      versions.push({ version: j + 2, at: new Date(at), title: `R${i} v${j + 2}`, status: STATUSES[(i + j + 1) % 4] });
    }
    const last = versions[versions.length - 1];
    const [{ id }] = await ds.query(
      `INSERT INTO risks (register, ref, product, title, severity, probability, level, status, owner_user_id, version, created_at, updated_at)
       VALUES ($1, $2, 'app', $3, 'S1', 'P1', $4, $5, $6, $7, $8, $9) RETURNING id`,
      [g.register, `R-${i}`, last.title, RISK_LEVELS[0], last.status, randomUUID(), last.version, createdAt, last.at],
    );
    for (const v of versions) {
      const after = {
        register: g.register,
        ref: `R-${i}`,
        product: 'app',
        title: v.title,
        severity: 'S1',
        probability: 'P1',
        level: RISK_LEVELS[0],
        status: v.status,
        ownerUserId: randomUUID(),
        controls: [],
      };
      await ds.query(`INSERT INTO risk_versions (risk_id, version, actor, at, after) VALUES ($1, $2, 'test', $3, $4)`, [
        id,
        v.version,
        v.at,
        JSON.stringify(after),
      ]);
    }
    risks.push({ id, register: g.register, createdAt, versions });
  }

  const dated = (n: number, seed: number) =>
    fc.sample(
      fc.record({
        d: fc.integer({ min: 0, max: SPAN }),
        ms: fc.constantFrom(...ODD_MS),
        register: fc.constantFrom('iso14971', 'security'),
        drill: fc.boolean(),
      }),
      { numRuns: n, seed },
    );
  for (const g of dated(25, 10)) {
    const reviewedAt = instant(g.d, g.ms);
    const [{ id }] = await ds.query(
      `INSERT INTO risk_reviews (register, reviewer_user_id, reviewed_at, notes, snapshot) VALUES ($1, $2, $3, 'n', '{}') RETURNING id`,
      [g.register, randomUUID(), reviewedAt],
    );
    reviews.push({ id, register: g.register, reviewedAt });
  }
  for (const [i, g] of dated(30, 11).entries()) {
    const receivedAt = instant(g.d, g.ms);
    const [{ id }] = await ds.query(
      `INSERT INTO dsr_requests (reference, "right", channel, status, received_at, protected_enc, due_at, is_drill) VALUES ($1, 'access', 'email', 'received', $2, 'x', $2, $3) RETURNING id`,
      [`DSR-T-${i}`, receivedAt, g.drill],
    );
    dsrs.push({ id, receivedAt });
  }
  for (const g of dated(25, 12)) {
    const startedAt = instant(g.d, g.ms);
    const [{ id }] = await ds.query(`INSERT INTO dsr_drills (trigger, started_at) VALUES ('cli', $1) RETURNING id`, [
      startedAt,
    ]);
    drills.push({ id, startedAt });
  }
}, 120_000);
afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

// ---- the oracle ------------------------------------------------------------------------------------

const startOf = (d: string) => new Date(`${d}T00:00:00+07:00`);
const endOf = (e: ActorEngagement) => new Date(startOf(e.to).getTime() + DAY);
const inPeriod = (t: Date, e: ActorEngagement) => t >= startOf(e.from) && t < endOf(e);
const weekOverlaps = (week: string, e: ActorEngagement) => {
  const monday = formatDate(weekMonday(parseWeek(week)));
  const sunday = formatDate(addDays(weekMonday(parseWeek(week)), 6));
  return monday <= e.to && sunday >= e.from;
};
const registers = (e: ActorEngagement) => new Set(e.frameworks.flatMap((f) => REGISTER_OF[f]));
const opensDsrs = (e: ActorEngagement) => e.frameworks.some((f) => DSR_FRAMEWORKS.includes(f));
/** The risk's version an auditor sees: the newest dated before the end of an engagement holding its register; none when it did not exist yet. */
function versionSeen(r: RiskRow, es: ActorEngagement[]): VersionRow | null {
  let seen: VersionRow | null = null;
  for (const e of es) {
    if (!registers(e).has(r.register) || r.createdAt >= endOf(e)) continue;
    for (const v of r.versions) if (v.at < endOf(e) && (!seen || v.version > seen.version)) seen = v;
  }
  return seen;
}

const engagementArb = fc
  .record({
    a: fc.integer({ min: -10, max: SPAN + 10 }),
    b: fc.integer({ min: -10, max: SPAN + 10 }),
    frameworks: fc.subarray(FRAMEWORKS, { minLength: 1 }),
    controls: fc.subarray(CONTROLS),
  })
  .map(({ a, b, frameworks, controls }): ActorEngagement => ({
    id: randomUUID(),
    frameworks,
    from: day(Math.min(a, b)),
    to: day(Math.max(a, b)),
    expiresAt: new Date(Date.now() + DAY),
    controlIds: controls,
  }));
const auditor = (engagements: ActorEngagement[]): UserActor => ({
  kind: 'user',
  id: randomUUID(),
  email: 'a@x.test',
  name: 'a',
  role: 'auditor',
  departmentId: null,
  departmentKey: null,
  via: 'session',
  engagements,
});
const sorted = (ids: string[]) => [...ids].sort();
const ALL = { limit: 1000, offset: 0 };

it('sweeps: only weeks overlapping a period; in them only tasks (and counts) of controls in scope of that engagement', async () => {
  const repo = new SweepsRepository(ds);
  await fc.assert(
    fc.asyncProperty(fc.array(engagementArb, { minLength: 1, maxLength: 3 }), async (es) => {
      const ability = abilityFor(auditor(es));
      const visible = sweeps.filter((s) => es.some((e) => weekOverlaps(s.week, e)));
      for (const s of sweeps)
        expect([s.week, ability.can('read', asSubject('Sweep', s))]).toEqual([s.week, visible.includes(s)]);
      const latest = await repo.latestVisible(ability);
      expect(latest?.week ?? null).toBe(
        visible
          .map((s) => s.week)
          .sort()
          .at(-1) ?? null,
      );
      for (const s of visible) {
        const expected = s.tasks.filter((t) =>
          es.some((e) => weekOverlaps(s.week, e) && e.controlIds.includes(t.controlId)),
        );
        const listed = await repo.listTasks(ability, s.id, ALL);
        expect(sorted(listed.rows.map((t) => t.id))).toEqual(sorted(expected.map((t) => t.id)));
        for (const t of s.tasks)
          expect(ability.can('read', asSubject('SweepTask', { ...t, week: s.week }))).toBe(expected.includes(t));
        const counted = (await repo.progress(s.id, new Date(), undefined, ability)).reduce((n, r) => n + r.count, 0);
        expect(counted).toBe(expected.length);
      }
    }),
    { numRuns: 30 },
  );
});

it('risks: only registers in scope, only risks that existed by the period end, each as it stood then, with its history up to then', async () => {
  const repo = new RisksRepository(ds);
  await fc.assert(
    fc.asyncProperty(fc.array(engagementArb, { minLength: 1, maxLength: 3 }), async (es) => {
      const ability = abilityFor(auditor(es));
      const expected = new Map(
        risks.flatMap((r) => (versionSeen(r, es) ? [[r.id, versionSeen(r, es)!] as const] : [])),
      );
      const listed = await repo.listVisible(ability, {}, ALL);
      expect(listed.total).toBe(expected.size);
      expect(sorted(listed.rows.map((r) => r.id))).toEqual(sorted([...expected.keys()]));
      for (const row of listed.rows) {
        const v = expected.get(row.id)!;
        expect({ id: row.id, version: row.version, title: row.title, status: row.status }).toEqual({
          id: row.id,
          version: v.version,
          title: v.title,
          status: v.status,
        });
      }
      for (const r of risks) expect(ability.can('read', asSubject('Risk', r))).toBe(expected.has(r.id));
      // Filters apply to the state shown: the status of the version seen, not the current one.
      const closed = await repo.listVisible(ability, { status: 'closed' as never }, ALL);
      expect(sorted(closed.rows.map((r) => r.id))).toEqual(
        sorted([...expected].filter(([, v]) => v.status === 'closed').map(([id]) => id)),
      );
      const heat = await repo.heatmapCounts(ability, {});
      expect(heat.before.reduce((n, c) => n + c.count, 0)).toBe(expected.size);
      for (const r of risks.slice(0, 12)) {
        const seen = expected.get(r.id);
        const history = (await repo.versionsOf(r.id, ability)).map((v) => v.version);
        expect(history).toEqual(
          seen
            ? r.versions
                .filter((v) => v.version <= seen.version)
                .map((v) => v.version)
                .reverse()
            : [],
        );
        const one = await repo.findVisible(ability, r.id);
        expect(one.rows.map((x) => x.title)).toEqual(seen ? [seen.title] : []);
      }
      for (const register of ['iso14971', 'security'] as const) {
        const shown = (await repo.listReviews(ability, register, ALL)).rows.map((v) => v.id);
        const allowed = reviews.filter(
          (v) => v.register === register && es.some((e) => registers(e).has(register) && inPeriod(v.reviewedAt, e)),
        );
        expect(sorted(shown)).toEqual(sorted(allowed.map((v) => v.id)));
      }
    }),
    { numRuns: 30 },
  );
});

it('DSRs and drills: only those received or run within a period of an engagement holding PDPA or SOC 2', async () => {
  const repo = new DsrRepository(ds);
  await fc.assert(
    fc.asyncProperty(fc.array(engagementArb, { minLength: 1, maxLength: 3 }), async (es) => {
      const ability = abilityFor(auditor(es));
      const requests = await repo.listVisible(ability, { includeDrills: true }, ALL, new Date());
      const expectedRequests = dsrs.filter((r) => es.some((e) => opensDsrs(e) && inPeriod(r.receivedAt, e)));
      expect(sorted(requests.rows.map((r) => r.id))).toEqual(sorted(expectedRequests.map((r) => r.id)));
      for (const r of dsrs) expect(ability.can('read', asSubject('DsrRequest', r))).toBe(expectedRequests.includes(r));
      const listed = await repo.listDrills(ALL, ability);
      const expectedDrills = drills.filter((d) => es.some((e) => opensDsrs(e) && inPeriod(d.startedAt, e)));
      expect(sorted(listed.rows.map((d) => d.id))).toEqual(sorted(expectedDrills.map((d) => d.id)));
      for (const d of drills) expect(ability.can('read', asSubject('DsrDrill', d))).toBe(expectedDrills.includes(d));
    }),
    { numRuns: 30 },
  );
});

it('staff are not narrowed: a compliance manager reads every sweep task, every risk at its current version, every DSR and drill', async () => {
  const cm = abilityFor({
    kind: 'user',
    id: randomUUID(),
    email: 'c@x.test',
    name: 'c',
    role: 'compliance_manager',
    departmentId: null,
    departmentKey: null,
    via: 'session',
  });
  const listed = await new RisksRepository(ds).listVisible(cm, {}, ALL);
  expect(listed.total).toBe(risks.length);
  for (const row of listed.rows) expect(row.version).toBe(risks.find((r) => r.id === row.id)!.versions.at(-1)!.version);
  expect((await new DsrRepository(ds).listDrills(ALL, cm)).total).toBe(drills.length);
  expect((await new DsrRepository(ds).listVisible(cm, { includeDrills: true }, ALL, new Date())).total).toBe(
    dsrs.length,
  );
  const s = sweeps.find((x) => x.tasks.length > 0)!;
  expect(
    (await new SweepsRepository(ds).progress(s.id, new Date(), undefined, cm)).reduce((n, r) => n + r.count, 0),
  ).toBe(s.tasks.length);
});
