// Migration RenameProbabilityLevels: stored ISO 14971 probability keys P1…P5 become the words of the shipped
// scale in the current risks, their version history and the quarterly reviews' frozen registers; the
// security register is untouched; down() restores the old keys.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RenameProbabilityLevels1765432000000 } from '../../migrations/1765432000000-RenameProbabilityLevels';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
});
afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const migration = new RenameProbabilityLevels1765432000000();
const run = async (step: 'up' | 'down') => {
  const q = ds.createQueryRunner();
  await q.startTransaction();
  try {
    await migration[step](q);
    await q.commitTransaction();
  } finally {
    await q.release();
  }
};

it('renames P1…P5 to words wherever an ISO 14971 risk stores them, and back', async () => {
  const owner = randomUUID();
  const [iso] = await ds.query(
    `INSERT INTO risks (register, ref, product, title, severity, probability, p1, p2, level, residual_severity, residual_probability, residual_level, owner_user_id, version)
     VALUES ('iso14971', 'HAZ-1', 'p', 't', 'S4', 'P3', 'P4', 'P4', 'alara', 'S4', 'P1', 'acceptable', $1, 2) RETURNING id`,
    [owner],
  );
  const [sec] = await ds.query(
    `INSERT INTO risks (register, ref, product, title, severity, probability, level, owner_user_id, version) VALUES ('security', 'SEC-1', 'p', 't', 'I2', 'L2', 'acceptable', $1, 1) RETURNING id`,
    [owner],
  );
  const first = {
    ref: 'HAZ-1',
    severity: 'S4',
    probability: 'P3',
    p1: 'P4',
    p2: 'P4',
    level: 'alara',
    residualProbability: null,
    controls: [],
  };
  const second = { ...first, residualSeverity: 'S4', residualProbability: 'P1', residualLevel: 'acceptable' };
  await ds.query(
    `INSERT INTO risk_versions (risk_id, version, actor, before, after) VALUES ($1, 1, 'user:x', NULL, $2), ($1, 2, 'user:x', $2, $3)`,
    [iso.id, first, second],
  );
  await ds.query(
    `INSERT INTO risk_versions (risk_id, version, actor, before, after) VALUES ($1, 1, 'user:x', NULL, $2)`,
    [sec.id, { ref: 'SEC-1', probability: 'L2' }],
  );
  await ds.query(
    `INSERT INTO risk_reviews (register, reviewer_user_id, reviewed_at, notes, snapshot) VALUES ('iso14971', $1, now(), 'q4', $2)`,
    [owner, { register: 'iso14971', risks: [second], summary: [{ status: 'open', level: 'alara', count: 1 }] }],
  );

  await run('up');
  expect(await ds.query(`SELECT probability, p1, p2, residual_probability FROM risks WHERE id = $1`, [iso.id])).toEqual(
    [{ probability: 'occasional', p1: 'probable', p2: 'probable', residual_probability: 'improbable' }],
  );
  expect(await ds.query(`SELECT probability FROM risks WHERE id = $1`, [sec.id])).toEqual([{ probability: 'L2' }]);
  const versions = await ds.query(`SELECT before, after FROM risk_versions WHERE risk_id = $1 ORDER BY version`, [
    iso.id,
  ]);
  expect(versions[0]).toEqual({
    before: null,
    after: { ...first, probability: 'occasional', p1: 'probable', p2: 'probable' },
  });
  expect(versions[1].before).toEqual({ ...first, probability: 'occasional', p1: 'probable', p2: 'probable' });
  expect(versions[1].after).toEqual({
    ...second,
    probability: 'occasional',
    p1: 'probable',
    p2: 'probable',
    residualProbability: 'improbable',
  });
  const [review] = await ds.query(`SELECT snapshot FROM risk_reviews`);
  expect(review.snapshot.risks).toEqual([versions[1].after]);
  expect(review.snapshot.summary).toEqual([{ status: 'open', level: 'alara', count: 1 }]);
  expect(JSON.stringify(await ds.query(`SELECT * FROM risks WHERE register = 'iso14971'`))).not.toMatch(/"P[1-5]"/);

  await run('down');
  expect(await ds.query(`SELECT probability, p1, p2, residual_probability FROM risks WHERE id = $1`, [iso.id])).toEqual(
    [{ probability: 'P3', p1: 'P4', p2: 'P4', residual_probability: 'P1' }],
  );
  expect(
    (await ds.query(`SELECT after FROM risk_versions WHERE risk_id = $1 AND version = 2`, [iso.id]))[0].after,
  ).toEqual(second);
  expect((await ds.query(`SELECT snapshot FROM risk_reviews`))[0].snapshot.risks).toEqual([second]);
});
