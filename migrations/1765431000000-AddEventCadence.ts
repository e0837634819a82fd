import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cadence `event`: evidence per occurrence (a release, a penetration test) instead of per calendar period,
 * with `max_interval_days`, the longest gap allowed between two occurrences (freshness ends after it).
 * The check compares the cadence as text: a value added to an enum cannot be used before its transaction commits.
 */
export class AddEventCadence1765431000000 implements MigrationInterface {
  name = 'AddEventCadence1765431000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TYPE "control_cadence" ADD VALUE IF NOT EXISTS 'event'`);
    await q.query(`ALTER TABLE "controls" ADD "max_interval_days" integer`);
    await q.query(
      `ALTER TABLE "controls" ADD CONSTRAINT "CHK_controls_max_interval" CHECK (("cadence"::text = 'event') = ("max_interval_days" IS NOT NULL) AND ("max_interval_days" IS NULL OR "max_interval_days" BETWEEN 1 AND 1096))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "controls" DROP CONSTRAINT "CHK_controls_max_interval"`);
    // Event controls fall back to the calendar cadence nearest their longest gap.
    await q.query(
      `UPDATE "controls" SET "cadence" = (CASE WHEN "max_interval_days" <= 31 THEN 'monthly' WHEN "max_interval_days" <= 92 THEN 'quarterly' ELSE 'annual' END)::text::"control_cadence" WHERE "cadence"::text = 'event'`,
    );
    await q.query(`ALTER TABLE "controls" DROP COLUMN "max_interval_days"`);
    await q.query(`ALTER TYPE "control_cadence" RENAME TO "control_cadence_old"`);
    await q.query(`CREATE TYPE "control_cadence" AS ENUM('weekly', 'monthly', 'quarterly', 'annual')`);
    await q.query(
      `ALTER TABLE "controls" ALTER COLUMN "cadence" TYPE "control_cadence" USING "cadence"::text::"control_cadence"`,
    );
    await q.query(`DROP TYPE "control_cadence_old"`);
  }
}
