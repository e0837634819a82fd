// Stored risk levels follow the matrix: after controls/risk-matrix.yaml changes (issue 12's stricter default),
// re-evaluation at start gives each risk whose level differs a new version and an audit entry, once.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { RiskLevelsBootstrapService } from '../../src/risks/risk-levels-bootstrap.service';
import { RiskLevelsService } from '../../src/risks/risk-levels.service';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
let db: Client;

beforeAll(async () => {
  t = await startTestApp();
  db = new Client({ connectionString: t.db.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await t?.close();
});

/** A risk as the first default matrix stored it (death at up to 1e-3 per use was merely ALARA), with its version 1. */
async function stored(
  ref: string,
  severity: string,
  probability: string,
  level: string,
  residual: [string, string, string] | null = null,
): Promise<string> {
  const owner = randomUUID();
  const [r] = (
    await db.query(
      `INSERT INTO risks (register, ref, product, title, hazard, hazardous_situation, harm, severity, probability, level, residual_severity, residual_probability, residual_level, owner_user_id, version)
       VALUES ('iso14971', $1, 'levels', 't', 'h', 's', 'x', $2, $3, $4, $5, $6, $7, $8, 1) RETURNING id`,
      [ref, severity, probability, level, residual?.[0] ?? null, residual?.[1] ?? null, residual?.[2] ?? null, owner],
    )
  ).rows;
  await db.query(
    `INSERT INTO risk_versions (risk_id, version, actor, before, after) VALUES ($1, 1, 'user:x', NULL, '{}')`,
    [r.id],
  );
  return r.id;
}
const row = async (id: string) =>
  (await db.query(`SELECT level, residual_level, version FROM risks WHERE id = $1`, [id])).rows[0];

it('recomputes stale levels once, each change a version by system:risk-matrix and an audit entry naming the fields', async () => {
  const death = await stored('HAZ-L1', 'S5', 'remote', 'alara'); // now unacceptable
  const serious = await stored('HAZ-L2', 'S3', 'remote', 'acceptable', ['S3', 'improbable', 'acceptable']); // now alara; residual unchanged
  const same = await stored('HAZ-L3', 'S1', 'improbable', 'acceptable');
  const renamed = await stored('HAZ-L4', 'S2', 'P2', 'acceptable'); // a key the scale does not have

  const result = await t.app.get(RiskLevelsService).reevaluateLevels();
  expect(result).toEqual({
    checked: 4,
    updated: ['iso14971:HAZ-L1', 'iso14971:HAZ-L2'],
    offScale: ['iso14971:HAZ-L4'],
  });
  expect(await row(death)).toEqual({ level: 'unacceptable', residual_level: null, version: 2 });
  expect(await row(serious)).toEqual({ level: 'alara', residual_level: 'acceptable', version: 2 });
  expect(await row(same)).toEqual({ level: 'acceptable', residual_level: null, version: 1 });
  expect(await row(renamed)).toEqual({ level: 'acceptable', residual_level: null, version: 1 });

  const [version] = (
    await db.query(
      `SELECT actor, before->>'level' AS before, after->>'level' AS after FROM risk_versions WHERE risk_id = $1 AND version = 2`,
      [death],
    )
  ).rows;
  expect(version).toEqual({ actor: 'system:risk-matrix', before: 'alara', after: 'unacceptable' });
  const audit = (
    await db.query(
      `SELECT (canonical::jsonb)->'data' AS data FROM audit_log WHERE action = 'risk.update' AND subject_id = $1`,
      [death],
    )
  ).rows;
  expect(audit.map((a) => [a.data.changed, a.data.level])).toEqual([[['level'], 'unacceptable']]);

  // Idempotent: the start-up hook finds nothing more to change.
  await t.app.get(RiskLevelsBootstrapService).onApplicationBootstrap();
  expect((await row(death)).version).toBe(2);
  expect(await t.app.get(RiskLevelsService).reevaluateLevels()).toEqual({
    checked: 4,
    updated: [],
    offScale: ['iso14971:HAZ-L4'],
  });
});
