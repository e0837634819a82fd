import type { MigrationInterface, QueryRunner } from 'typeorm';

const APPEND_ONLY = ['blobs', 'blob_chunks', 'evidence', 'evidence_controls', 'evidence_files'];

/**
 * The evidence locker: immutable evidence items linked to controls (by id: the catalog owns controls),
 * their files, and content-addressed blobs stored in PostgreSQL in 1 MiB chunks. All five tables are
 * append-only: triggers refuse UPDATE and DELETE (per row) and TRUNCATE. A correction is a new item whose
 * `supersedes` names the old one, so no row ever changes.
 */
export class CreateEvidence1764400000000 implements MigrationInterface {
  name = 'CreateEvidence1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "blobs" ("sha256" text NOT NULL, "size" bigint NOT NULL, "media_type" text NOT NULL, "chunk_size" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_blobs_sha256" CHECK ("sha256" ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_blobs" PRIMARY KEY ("sha256"))`,
    );
    await q.query(
      `CREATE TABLE "blob_chunks" ("sha256" text NOT NULL, "n" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_blob_chunks" PRIMARY KEY ("sha256", "n"))`,
    );
    await q.query(`CREATE TYPE "public"."evidence_kind" AS ENUM('file', 'link', 'attestation', 'snapshot')`);
    await q.query(
      `CREATE TABLE "evidence" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" "public"."evidence_kind" NOT NULL, "title" text NOT NULL, "description" text, "source" text NOT NULL, "submitted_by" uuid, "collected_at" TIMESTAMP WITH TIME ZONE NOT NULL, "evidence_date" TIMESTAMP WITH TIME ZONE NOT NULL, "period_start" date NOT NULL, "period_end" date NOT NULL, "supersedes" uuid, "url" text, "statement" text, "checklist" jsonb, CONSTRAINT "CHK_evidence_period" CHECK ("period_end" >= "period_start"), CONSTRAINT "CHK_evidence_source" CHECK ("source" ~ '^(upload|api|attestation|collector:[a-z0-9][a-z0-9-]{0,62})$'), CONSTRAINT "PK_evidence" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_evidence_submitted_by" ON "evidence"  ("submitted_by") `);
    await q.query(`CREATE INDEX "IDX_evidence_collected_at" ON "evidence"  ("collected_at") `);
    await q.query(`CREATE UNIQUE INDEX "UQ_evidence_supersedes" ON "evidence"  ("supersedes") `);
    await q.query(
      `CREATE TABLE "evidence_controls" ("evidence_id" uuid NOT NULL, "control_id" uuid NOT NULL, CONSTRAINT "PK_evidence_controls" PRIMARY KEY ("evidence_id", "control_id"))`,
    );
    await q.query(`CREATE INDEX "IDX_evidence_controls_control" ON "evidence_controls"  ("control_id") `);
    await q.query(
      `CREATE TABLE "evidence_files" ("evidence_id" uuid NOT NULL, "n" integer NOT NULL, "sha256" text NOT NULL, "filename" text NOT NULL, "size" bigint NOT NULL, "media_type" text NOT NULL, CONSTRAINT "PK_evidence_files" PRIMARY KEY ("evidence_id", "n"))`,
    );
    await q.query(`CREATE INDEX "IDX_evidence_files_sha256" ON "evidence_files"  ("sha256") `);
    await q.query(
      `ALTER TABLE "blob_chunks" ADD CONSTRAINT "FK_blob_chunks_blob" FOREIGN KEY ("sha256") REFERENCES "blobs"("sha256") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "evidence" ADD CONSTRAINT "FK_evidence_supersedes" FOREIGN KEY ("supersedes") REFERENCES "evidence"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "evidence_controls" ADD CONSTRAINT "FK_evidence_controls_evidence" FOREIGN KEY ("evidence_id") REFERENCES "evidence"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "evidence_files" ADD CONSTRAINT "FK_evidence_files_evidence" FOREIGN KEY ("evidence_id") REFERENCES "evidence"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "evidence_files" ADD CONSTRAINT "FK_evidence_files_blob" FOREIGN KEY ("sha256") REFERENCES "blobs"("sha256") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Chunks are stored out of line without compression: most evidence (PDF, images, zips) is already
    // compressed, and PostgreSQL's pglz attempt on every 1 MiB chunk halved upload throughput.
    await q.query(`ALTER TABLE "blob_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL`);
    await q.query(`CREATE FUNCTION "evidence_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'Evidence is immutable; record a correction as a new item that supersedes the old one.';
      END
    $$`);
    for (const table of APPEND_ONLY) {
      await q.query(
        `CREATE TRIGGER "${table}_no_update_delete" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "evidence_refuse_change"()`,
      );
      await q.query(
        `CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "evidence_refuse_change"()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of APPEND_ONLY) {
      await q.query(`DROP TRIGGER "${table}_no_truncate" ON "${table}"`);
      await q.query(`DROP TRIGGER "${table}_no_update_delete" ON "${table}"`);
    }
    await q.query(`DROP FUNCTION "evidence_refuse_change"()`);
    await q.query(`ALTER TABLE "evidence_files" DROP CONSTRAINT "FK_evidence_files_blob"`);
    await q.query(`ALTER TABLE "evidence_files" DROP CONSTRAINT "FK_evidence_files_evidence"`);
    await q.query(`ALTER TABLE "evidence_controls" DROP CONSTRAINT "FK_evidence_controls_evidence"`);
    await q.query(`ALTER TABLE "evidence" DROP CONSTRAINT "FK_evidence_supersedes"`);
    await q.query(`ALTER TABLE "blob_chunks" DROP CONSTRAINT "FK_blob_chunks_blob"`);
    await q.query(`DROP INDEX "public"."IDX_evidence_files_sha256"`);
    await q.query(`DROP TABLE "evidence_files"`);
    await q.query(`DROP INDEX "public"."IDX_evidence_controls_control"`);
    await q.query(`DROP TABLE "evidence_controls"`);
    await q.query(`DROP INDEX "public"."UQ_evidence_supersedes"`);
    await q.query(`DROP INDEX "public"."IDX_evidence_collected_at"`);
    await q.query(`DROP INDEX "public"."IDX_evidence_submitted_by"`);
    await q.query(`DROP TABLE "evidence"`);
    await q.query(`DROP TYPE "public"."evidence_kind"`);
    await q.query(`DROP TABLE "blob_chunks"`);
    await q.query(`DROP TABLE "blobs"`);
  }
}
