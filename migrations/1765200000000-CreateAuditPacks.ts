import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuditPacks1765200000000 implements MigrationInterface {
  name = 'CreateAuditPacks1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "audit_packs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "framework" text NOT NULL, "period_from" date NOT NULL, "period_to" date NOT NULL, "status" text NOT NULL DEFAULT 'queued', "progress" smallint NOT NULL DEFAULT '0', "stage" text, "requested_by_user_id" uuid, "requested_by" text NOT NULL, "engagement_id" uuid, "pdf_path" text, "pdf_sha256" text, "pdf_bytes" bigint, "zip_path" text, "zip_sha256" text, "zip_bytes" bigint, "signer_fingerprint" text, "error" text, "attempts" integer NOT NULL DEFAULT '0', "build_token" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "heartbeat_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_audit_packs_period" CHECK ("period_to" >= "period_from"), CONSTRAINT "CHK_audit_packs_progress" CHECK ("progress" BETWEEN 0 AND 100), CONSTRAINT "CHK_audit_packs_status" CHECK ("status" IN ('queued', 'building', 'done', 'failed')), CONSTRAINT "PK_audit_packs" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_audit_packs_created_at" ON "audit_packs" ("created_at") `);
    // Asking again for a scope that is queued or building joins that pack: one active pack per scope.
    await q.query(
      `CREATE UNIQUE INDEX "UQ_audit_packs_active_scope" ON "audit_packs" ("framework", "period_from", "period_to") WHERE "status" IN ('queued', 'building')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "UQ_audit_packs_active_scope"`);
    await q.query(`DROP INDEX "IDX_audit_packs_created_at"`);
    await q.query(`DROP TABLE "audit_packs"`);
  }
}
