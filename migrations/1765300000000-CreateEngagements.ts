import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Auditor engagements (frameworks, audit period, expiry, revocation) and the auditors' requests on requirements. */
export class CreateEngagements1765300000000 implements MigrationInterface {
  name = 'CreateEngagements1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "engagements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "auditor_user_id" uuid NOT NULL, "frameworks" text array NOT NULL, "period_from" date NOT NULL, "period_to" date NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_engagements_period" CHECK ("period_to" >= "period_from"), CONSTRAINT "PK_engagements" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_engagements_auditor" ON "engagements" ("auditor_user_id") `);
    await q.query(`CREATE TYPE "public"."engagement_request_status" AS ENUM('open', 'answered')`);
    await q.query(
      `CREATE TABLE "engagement_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "engagement_id" uuid NOT NULL, "framework" text NOT NULL, "requirement_ref" text NOT NULL, "body" text NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "answer" text, "answered_by" uuid, "answered_at" TIMESTAMP WITH TIME ZONE, "status" "public"."engagement_request_status" NOT NULL DEFAULT 'open', CONSTRAINT "PK_engagement_requests" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_engagement_requests_engagement" ON "engagement_requests" ("engagement_id") `);
    await q.query(
      `ALTER TABLE "engagement_requests" ADD CONSTRAINT "FK_engagement_requests_engagement" FOREIGN KEY ("engagement_id") REFERENCES "engagements"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "engagement_requests" DROP CONSTRAINT "FK_engagement_requests_engagement"`);
    await q.query(`DROP INDEX "public"."IDX_engagement_requests_engagement"`);
    await q.query(`DROP TABLE "engagement_requests"`);
    await q.query(`DROP TYPE "public"."engagement_request_status"`);
    await q.query(`DROP INDEX "public"."IDX_engagements_auditor"`);
    await q.query(`DROP TABLE "engagements"`);
  }
}
