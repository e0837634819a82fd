import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints in PostgreSQL too, so every instance verifies every instance's checkpoints (the files
 * stay under DATA_DIR and the export folder, where a database owner cannot remove them).
 */
export class CreateAuditCheckpoints1765510000000 implements MigrationInterface {
  name = 'CreateAuditCheckpoints1765510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "audit_checkpoints" ("seq" bigint NOT NULL, "hash" text NOT NULL, "key_id" text NOT NULL, "text" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_audit_checkpoints" PRIMARY KEY ("seq"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_checkpoints"`);
  }
}
