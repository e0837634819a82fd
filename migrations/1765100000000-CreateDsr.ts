import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDsr1765100000000 implements MigrationInterface {
  name = 'CreateDsr1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "data_systems" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "owner_department" text, "owner_user_id" uuid, "definition" jsonb NOT NULL, "secrets_enc" text, "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_data_systems" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_data_systems_key" ON "data_systems"  ("key") `);
    await q.query(
      `CREATE TABLE "dsr_actions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "system_key" text NOT NULL, "kind" text NOT NULL, "status" text NOT NULL, "summary" jsonb, "result_enc" text, "error" text, "attempts" integer NOT NULL DEFAULT '0', "owner_user_id" uuid, "owner_department" text, "checklist" jsonb, "outcome_note" text, "completed_by_user_id" uuid, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dsr_actions" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_dsr_actions_request_system_kind" ON "dsr_actions"  ("request_id", "system_key", "kind") `,
    );
    await q.query(
      `CREATE TABLE "dsr_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reference" text NOT NULL, "right" text NOT NULL, "channel" text NOT NULL, "status" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "protected_enc" text NOT NULL, "is_representative" boolean NOT NULL DEFAULT false, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "statutory_due_at" TIMESTAMP WITH TIME ZONE, "verified_at" TIMESTAMP WITH TIME ZONE, "verification_method" text, "verification_reference_enc" text, "verified_by_user_id" uuid, "rejection_reason" text, "closing_note" text, "closed_at" TIMESTAMP WITH TIME ZONE, "is_drill" boolean NOT NULL DEFAULT false, "last_error" text, "erasure_scheduled_for" TIMESTAMP WITH TIME ZONE, "erased_at" TIMESTAMP WITH TIME ZONE, "backups_expire_at" TIMESTAMP WITH TIME ZONE, "export_path" text, "export_sha256" text, "export_bytes" bigint, "exported_at" TIMESTAMP WITH TIME ZONE, "receipt_evidence_id" uuid, "receipt" jsonb, "created_by_user_id" uuid, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dsr_requests" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_dsr_requests_status_due_at" ON "dsr_requests"  ("status", "due_at") `);
    await q.query(`CREATE UNIQUE INDEX "UQ_dsr_requests_reference" ON "dsr_requests"  ("reference") `);
    await q.query(
      `CREATE TABLE "dsr_legal_holds" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "reason" text NOT NULL, "placed_by_user_id" uuid NOT NULL, "placed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "released_at" TIMESTAMP WITH TIME ZONE, "released_by_user_id" uuid, CONSTRAINT "PK_dsr_legal_holds" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_dsr_legal_holds_request" ON "dsr_legal_holds"  ("request_id") `);
    await q.query(
      `CREATE TABLE "dsr_export_links" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "token_sha256" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "downloads" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_dsr_export_links" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_dsr_export_links_token" ON "dsr_export_links"  ("token_sha256") `);
    await q.query(
      `CREATE TABLE "dsr_ropa_entries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "right" text NOT NULL, "reason" text NOT NULL, "recorded_by_user_id" uuid, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dsr_ropa_entries" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE TABLE "dsr_drills" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "trigger" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, "passed" boolean, "report" jsonb, "evidence_id" uuid, "request_id" uuid, "started_by_user_id" uuid, CONSTRAINT "PK_dsr_drills" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_dsr_drills_started_at" ON "dsr_drills"  ("started_at") `);
    // Request references (DSR-2026-00042) are numbered from this sequence.
    await q.query(`CREATE SEQUENCE "dsr_reference_seq"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SEQUENCE "dsr_reference_seq"`);
    await q.query(`DROP INDEX "IDX_dsr_drills_started_at"`);
    await q.query(`DROP TABLE "dsr_drills"`);
    await q.query(`DROP TABLE "dsr_ropa_entries"`);
    await q.query(`DROP INDEX "UQ_dsr_export_links_token"`);
    await q.query(`DROP TABLE "dsr_export_links"`);
    await q.query(`DROP INDEX "IDX_dsr_legal_holds_request"`);
    await q.query(`DROP TABLE "dsr_legal_holds"`);
    await q.query(`DROP INDEX "UQ_dsr_requests_reference"`);
    await q.query(`DROP INDEX "IDX_dsr_requests_status_due_at"`);
    await q.query(`DROP TABLE "dsr_requests"`);
    await q.query(`DROP INDEX "UQ_dsr_actions_request_system_kind"`);
    await q.query(`DROP TABLE "dsr_actions"`);
    await q.query(`DROP INDEX "UQ_data_systems_key"`);
    await q.query(`DROP TABLE "data_systems"`);
  }
}
