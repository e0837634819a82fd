import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ISO 14971 probability levels are keyed by words instead of P1…P5 (issue 12): ISO 14971 Annex C uses P1
 * and P2 for the two factors of the probability of harm, which the register already records as `p1` and
 * `p2`, so a level named "P2" read as one of them. Level i becomes the i-th word of the shipped scale
 * (P1 improbable, P2 remote, P3 occasional, P4 probable, P5 frequent): the bands are unchanged, so this is a
 * renaming, not a new estimate. Renamed wherever a level is stored as a key: the ISO 14971 risks (probability,
 * p1, p2, residual probability), their version history (before/after) and the quarterly reviews' frozen
 * registers, so history and the current matrix agree. The security register (L1…Ln) is not touched.
 * A deployment with its own controls/risk-matrix.yaml names its levels by the same rule.
 */
const WORDS = ['improbable', 'remote', 'occasional', 'probable', 'frequent'];
const KEYS = ['probability', 'p1', 'p2', 'residualProbability'];

/** SQL functions (session-local) mapping one key and a risk's JSON snapshot; `from`/`to` are the two vocabularies. */
async function createMappers(q: QueryRunner, from: string[], to: string[]): Promise<void> {
  const cases = from.map((f, i) => `WHEN '${f}' THEN '${to[i]}'`).join(' ');
  await q.query(
    `CREATE FUNCTION pg_temp.attest_level(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE t ${cases} ELSE t END $$`,
  );
  await q.query(
    `CREATE FUNCTION pg_temp.attest_levels(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
       SELECT CASE WHEN j IS NULL OR jsonb_typeof(j) <> 'object' THEN j
              ELSE j || COALESCE((SELECT jsonb_object_agg(k, to_jsonb(pg_temp.attest_level(j->>k)))
                                    FROM unnest(ARRAY['${KEYS.join("','")}']) AS k
                                   WHERE jsonb_typeof(j->k) = 'string'), '{}'::jsonb) END $$`,
  );
}

async function rename(q: QueryRunner, from: string[], to: string[]): Promise<void> {
  await createMappers(q, from, to);
  await q.query(
    `UPDATE "risks" SET "probability" = pg_temp.attest_level("probability"), "p1" = pg_temp.attest_level("p1"), "p2" = pg_temp.attest_level("p2"),
            "residual_probability" = pg_temp.attest_level("residual_probability")
      WHERE "register" = 'iso14971'`,
  );
  await q.query(
    `UPDATE "risk_versions" v SET "before" = pg_temp.attest_levels(v."before"), "after" = pg_temp.attest_levels(v."after")
       FROM "risks" r WHERE r."id" = v."risk_id" AND r."register" = 'iso14971'`,
  );
  await q.query(
    `UPDATE "risk_reviews" SET "snapshot" = jsonb_set("snapshot", '{risks}',
            (SELECT COALESCE(jsonb_agg(pg_temp.attest_levels(e.value) ORDER BY e.ordinality), '[]'::jsonb) FROM jsonb_array_elements("snapshot"->'risks') WITH ORDINALITY AS e))
      WHERE "register" = 'iso14971' AND jsonb_typeof("snapshot"->'risks') = 'array'`,
  );
  await q.query(`DROP FUNCTION pg_temp.attest_levels(jsonb)`);
  await q.query(`DROP FUNCTION pg_temp.attest_level(text)`);
}

export class RenameProbabilityLevels1765432000000 implements MigrationInterface {
  name = 'RenameProbabilityLevels1765432000000';

  async up(q: QueryRunner): Promise<void> {
    await rename(
      q,
      WORDS.map((_, i) => `P${i + 1}`),
      WORDS,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await rename(
      q,
      WORDS,
      WORDS.map((_, i) => `P${i + 1}`),
    );
  }
}
