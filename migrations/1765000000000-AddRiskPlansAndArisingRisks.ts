import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Risk management plans per product with the overall residual-risk statement (and their versions), and
 * the risks arising from a risk control measure (ISO 14971 7.5) as refs on the measure.
 */
export class AddRiskPlansAndArisingRisks1765000000000 implements MigrationInterface {
  name = 'AddRiskPlansAndArisingRisks1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "public"."risk_review_cadence" AS ENUM('monthly', 'quarterly', 'semiannual', 'annual')`);
    await q.query(
      `CREATE TABLE "risk_plans" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "product" text NOT NULL, "scope" text NOT NULL, "intended_use" text NOT NULL, "acceptability_policy" text NOT NULL, "review_cadence" "public"."risk_review_cadence" NOT NULL, "residual_risk_statement" text, "residual_statement_by_user_id" uuid, "residual_statement_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_risk_plans" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_risk_plans_product" ON "risk_plans"  ("product") `);
    await q.query(
      `CREATE TABLE "risk_plan_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "plan_id" uuid NOT NULL, "version" integer NOT NULL, "actor" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "before" jsonb, "after" jsonb NOT NULL, CONSTRAINT "PK_risk_plan_versions" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_risk_plan_versions_plan_version" ON "risk_plan_versions"  ("plan_id", "version") `,
    );
    await q.query(
      `ALTER TABLE "risk_plan_versions" ADD CONSTRAINT "FK_risk_plan_versions_plan" FOREIGN KEY ("plan_id") REFERENCES "risk_plans"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Existing measures introduced no risks: fill them with an empty list, then require the value on insert.
    await q.query(`ALTER TABLE "risk_controls" ADD "arising_risk_refs" text array NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE "risk_controls" ALTER COLUMN "arising_risk_refs" DROP DEFAULT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "risk_controls" DROP COLUMN "arising_risk_refs"`);
    await q.query(`ALTER TABLE "risk_plan_versions" DROP CONSTRAINT "FK_risk_plan_versions_plan"`);
    await q.query(`DROP INDEX "public"."UQ_risk_plan_versions_plan_version"`);
    await q.query(`DROP TABLE "risk_plan_versions"`);
    await q.query(`DROP INDEX "public"."UQ_risk_plans_product"`);
    await q.query(`DROP TABLE "risk_plans"`);
    await q.query(`DROP TYPE "public"."risk_review_cadence"`);
  }
}
