import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ground of an objection (PDPA s. 32 para 1) or an erasure (s. 33 para 1), and when an objection's
 * separation was applied (s. 32 para 2). An objection's statutory clock runs from receipt to separation:
 * `statutory_due_at` now holds when separation became overdue (an hour after it was owed), null while it is
 * not owed yet (identity unverified for a ground other than direct marketing).
 */
export class AddDsrGroundsAndSeparation1765410000000 implements MigrationInterface {
  name = 'AddDsrGroundsAndSeparation1765410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dsr_requests" ADD "ground" text`);
    await q.query(`ALTER TABLE "dsr_requests" ADD "separated_at" TIMESTAMP WITH TIME ZONE`);
    // Existing objections: separated when every restriction step finished; owed from verification.
    await q.query(`
      UPDATE "dsr_requests" r SET "separated_at" = s.finished
      FROM (SELECT "request_id", max("finished_at") AS finished FROM "dsr_actions"
            WHERE "kind" IN ('restrict', 'manual-restrict') GROUP BY "request_id"
            HAVING bool_and("status" IN ('done', 'skipped'))) s
      WHERE r."id" = s."request_id" AND r."right" = 'objection'`);
    await q.query(
      `UPDATE "dsr_requests" SET "statutory_due_at" = CASE WHEN "verified_at" IS NULL THEN NULL ELSE "verified_at" + interval '1 hour' END WHERE "right" = 'objection'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "dsr_requests" SET "statutory_due_at" = "received_at" WHERE "right" = 'objection'`);
    await q.query(`ALTER TABLE "dsr_requests" DROP COLUMN "separated_at"`);
    await q.query(`ALTER TABLE "dsr_requests" DROP COLUMN "ground"`);
  }
}
