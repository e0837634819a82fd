import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Controlled documents (issue 17): documents, the controls they support, their versions and the signatures
 * on them. A version's content and hash change only while it is a draft; signatures are append-only.
 */
export class CreateDocuments1765720000000 implements MigrationInterface {
  name = 'CreateDocuments1765720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TYPE "public"."document_type" AS ENUM('policy', 'procedure', 'plan', 'standard', 'work_instruction')`,
    );
    await q.query(
      `CREATE TABLE "documents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "title" text NOT NULL, "type" "public"."document_type" NOT NULL, "owner_department" text NOT NULL, "owner_user_id" uuid NOT NULL, "audience_everyone" boolean NOT NULL DEFAULT false, "audience_roles" text array NOT NULL DEFAULT '{}', "audience_departments" text array NOT NULL DEFAULT '{}', "review_cadence_months" integer NOT NULL DEFAULT '12', "published_version" integer, "first_published_at" TIMESTAMP WITH TIME ZONE, "next_review_on" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_documents" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_documents_owner_department" ON "documents"  ("owner_department") `);
    await q.query(`CREATE UNIQUE INDEX "UQ_documents_key" ON "documents"  ("key") `);
    await q.query(
      `CREATE TABLE "document_controls" ("document_id" uuid NOT NULL, "control_key" text NOT NULL, CONSTRAINT "PK_document_controls" PRIMARY KEY ("document_id", "control_key"))`,
    );
    await q.query(
      `CREATE TYPE "public"."document_version_status" AS ENUM('draft', 'in_review', 'approved', 'published', 'superseded', 'retired')`,
    );
    await q.query(
      `CREATE TABLE "document_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "document_id" uuid NOT NULL, "number" integer NOT NULL, "content" text NOT NULL, "sha256" character(64) NOT NULL, "change_summary" text NOT NULL, "material" boolean NOT NULL, "effective_on" date, "status" "public"."document_version_status" NOT NULL DEFAULT 'draft', "round" integer NOT NULL DEFAULT '0', "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "submitted_at" TIMESTAMP WITH TIME ZONE, "approved_at" TIMESTAMP WITH TIME ZONE, "published_at" TIMESTAMP WITH TIME ZONE, "superseded_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_document_versions" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_document_versions_document_number" ON "document_versions"  ("document_id", "number") `,
    );
    await q.query(`CREATE TYPE "public"."document_signature_meaning" AS ENUM('reviewed', 'approved', 'rejected')`);
    await q.query(
      `CREATE TABLE "document_signatures" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "version_id" uuid NOT NULL, "document_key" text NOT NULL, "version_number" integer NOT NULL, "round" integer NOT NULL, "signer_user_id" uuid NOT NULL, "signer_role" text NOT NULL, "signer_department" text, "meaning" "public"."document_signature_meaning" NOT NULL, "reason" text, "version_sha256" character(64) NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "record_sha256" character(64) NOT NULL, CONSTRAINT "PK_document_signatures" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_document_signatures_version" ON "document_signatures"  ("version_id", "signed_at") `,
    );
    await q.query(
      `ALTER TABLE "document_controls" ADD CONSTRAINT "FK_document_controls_document" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "document_versions" ADD CONSTRAINT "FK_document_versions_document" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "document_signatures" ADD CONSTRAINT "FK_document_signatures_version" FOREIGN KEY ("version_id") REFERENCES "document_versions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE FUNCTION "document_versions_refuse_content_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status <> 'draft' AND (NEW.content IS DISTINCT FROM OLD.content OR NEW.sha256 IS DISTINCT FROM OLD.sha256
            OR NEW.number IS DISTINCT FROM OLD.number OR NEW.document_id IS DISTINCT FROM OLD.document_id) THEN
          RAISE EXCEPTION 'document version % is %: its content cannot change', OLD.id, OLD.status;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER "document_versions_content_frozen" BEFORE UPDATE ON "document_versions" FOR EACH ROW EXECUTE FUNCTION "document_versions_refuse_content_change"()`,
    );
    await q.query(`CREATE FUNCTION "document_signatures_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'document_signatures is append-only: % is not allowed', TG_OP;
      END $$`);
    await q.query(
      `CREATE TRIGGER "document_signatures_no_update_delete" BEFORE UPDATE OR DELETE ON "document_signatures" FOR EACH ROW EXECUTE FUNCTION "document_signatures_refuse_change"()`,
    );
    await q.query(
      `CREATE TRIGGER "document_signatures_no_truncate" BEFORE TRUNCATE ON "document_signatures" FOR EACH STATEMENT EXECUTE FUNCTION "document_signatures_refuse_change"()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "document_signatures_no_truncate" ON "document_signatures"`);
    await q.query(`DROP TRIGGER "document_signatures_no_update_delete" ON "document_signatures"`);
    await q.query(`DROP FUNCTION "document_signatures_refuse_change"()`);
    await q.query(`DROP TRIGGER "document_versions_content_frozen" ON "document_versions"`);
    await q.query(`DROP FUNCTION "document_versions_refuse_content_change"()`);
    await q.query(`ALTER TABLE "document_signatures" DROP CONSTRAINT "FK_document_signatures_version"`);
    await q.query(`ALTER TABLE "document_versions" DROP CONSTRAINT "FK_document_versions_document"`);
    await q.query(`ALTER TABLE "document_controls" DROP CONSTRAINT "FK_document_controls_document"`);
    await q.query(`DROP INDEX "public"."IDX_document_signatures_version"`);
    await q.query(`DROP TABLE "document_signatures"`);
    await q.query(`DROP TYPE "public"."document_signature_meaning"`);
    await q.query(`DROP INDEX "public"."UQ_document_versions_document_number"`);
    await q.query(`DROP TABLE "document_versions"`);
    await q.query(`DROP TYPE "public"."document_version_status"`);
    await q.query(`DROP TABLE "document_controls"`);
    await q.query(`DROP INDEX "public"."UQ_documents_key"`);
    await q.query(`DROP INDEX "public"."IDX_documents_owner_department"`);
    await q.query(`DROP TABLE "documents"`);
    await q.query(`DROP TYPE "public"."document_type"`);
  }
}
