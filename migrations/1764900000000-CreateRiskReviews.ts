import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRiskReviews1764900000000 implements MigrationInterface {
  name = 'CreateRiskReviews1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "risk_reviews" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "register" text NOT NULL, "reviewer_user_id" uuid NOT NULL, "reviewed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "notes" text NOT NULL, "snapshot" jsonb NOT NULL, CONSTRAINT "PK_risk_reviews" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_risk_reviews_register_reviewed_at" ON "risk_reviews"  ("register", "reviewed_at") `,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_risk_reviews_register_reviewed_at"`);
    await q.query(`DROP TABLE "risk_reviews"`);
  }
}
