import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incident numbers without gaps: the number is no longer drawn from a sequence (a retried alert or a
 * rolled-back report burned one, so refs went INC-0001, INC-0003) but allocated as max + 1 in the
 * reporting transaction, under a transaction-scoped advisory lock (IncidentsRepository.insertOnce).
 */
export class GaplessIncidentNumbers1765610000000 implements MigrationInterface {
  name = 'GaplessIncidentNumbers1765610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "incidents" ALTER COLUMN "number" DROP DEFAULT`);
    await q.query(`DROP SEQUENCE IF EXISTS "incidents_number_seq"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE "incidents_number_seq" OWNED BY "incidents"."number"`);
    await q.query(
      `SELECT setval('"incidents_number_seq"', coalesce((SELECT max("number") FROM "incidents"), 0) + 1, false)`,
    );
    await q.query(`ALTER TABLE "incidents" ALTER COLUMN "number" SET DEFAULT nextval('"incidents_number_seq"')`);
  }
}
