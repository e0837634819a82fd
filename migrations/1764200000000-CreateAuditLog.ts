import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: an append-only, hash-chained log. `seq` is assigned by the application (head + 1 under
 * an advisory lock), never by a sequence, so a rolled-back transaction leaves no gap. `canonical` holds the
 * exact bytes that were hashed (RFC 8785 JSON), as text: jsonb would reorder keys and break verification.
 * Triggers refuse UPDATE, DELETE (per row) and TRUNCATE (per statement).
 */
export class CreateAuditLog1764200000000 implements MigrationInterface {
  name = 'CreateAuditLog1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "audit_log" (
      "seq" bigint NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "actor" text NOT NULL,
      "action" text NOT NULL,
      "subject_type" text NOT NULL,
      "subject_id" text,
      "canonical" text NOT NULL,
      "prev_hash" text NOT NULL,
      "hash" text NOT NULL,
      CONSTRAINT "PK_audit_log" PRIMARY KEY ("seq"),
      CONSTRAINT "CHK_audit_log_seq" CHECK ("seq" > 0))`);
    await q.query(`CREATE INDEX "IDX_audit_log_actor_seq" ON "audit_log" ("actor", "seq")`);
    await q.query(`CREATE INDEX "IDX_audit_log_action_seq" ON "audit_log" ("action", "seq")`);
    await q.query(`CREATE INDEX "IDX_audit_log_subject_seq" ON "audit_log" ("subject_type", "subject_id", "seq")`);
    await q.query(`CREATE INDEX "IDX_audit_log_at" ON "audit_log" ("at")`);
    await q.query(`CREATE FUNCTION "audit_log_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'The audit trail can only be appended to; record a correction as a new entry.';
      END
    $$`);
    await q.query(`CREATE TRIGGER "audit_log_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_log"
      FOR EACH ROW EXECUTE FUNCTION "audit_log_refuse_change"()`);
    await q.query(`CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_refuse_change"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_log"`);
    await q.query(`DROP FUNCTION "audit_log_refuse_change"()`);
  }
}
