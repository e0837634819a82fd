import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Releases (issue 18): a product version CI built, the files it attached (stored as evidence, with what the
 * parsers read) and the signed gates. Signatures are append-only.
 */
export class CreateReleases1765800000000 implements MigrationInterface {
  name = 'CreateReleases1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "releases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "product" text NOT NULL, "version" text NOT NULL, "commit" text NOT NULL, "built_at" TIMESTAMP WITH TIME ZONE NOT NULL, "anomalies" jsonb NOT NULL DEFAULT '[]', "risk_report_evidence_id" uuid, "risk_report_sha256" character(64), "risk_report_at" TIMESTAMP WITH TIME ZONE, "created_by_user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_releases" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_releases_product_version" ON "releases"  ("product", "version") `);
    await q.query(
      `CREATE TYPE "public"."release_attachment_kind" AS ENUM('test_report', 'sbom', 'secret_scan', 'npm_audit', 'osv', 'changelog')`,
    );
    await q.query(
      `CREATE TABLE "release_attachments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "release_id" uuid NOT NULL, "kind" "public"."release_attachment_kind" NOT NULL, "filename" text NOT NULL, "sha256" character(64) NOT NULL, "size" integer NOT NULL, "evidence_id" uuid NOT NULL, "summary" jsonb NOT NULL, "created_by_user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_release_attachments" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_release_attachments_release_kind_sha256" ON "release_attachments"  ("release_id", "kind", "sha256") `,
    );
    await q.query(
      `CREATE TABLE "release_signatures" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "release_id" uuid NOT NULL, "gate_key" text NOT NULL, "meaning" text NOT NULL, "signer_user_id" uuid NOT NULL, "signer_role" text NOT NULL, "signer_department" text, "release_sha256" character(64) NOT NULL, "report_sha256" character(64), "report_evidence_id" uuid, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "record_sha256" character(64) NOT NULL, CONSTRAINT "PK_release_signatures" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_release_signatures_release" ON "release_signatures"  ("release_id", "signed_at") `,
    );
    await q.query(
      `ALTER TABLE "release_attachments" ADD CONSTRAINT "FK_release_attachments_release" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "release_signatures" ADD CONSTRAINT "FK_release_signatures_release" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE FUNCTION "release_signatures_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'release_signatures is append-only: % is not allowed', TG_OP;
      END $$`);
    await q.query(
      `CREATE TRIGGER "release_signatures_no_update_delete" BEFORE UPDATE OR DELETE ON "release_signatures" FOR EACH ROW EXECUTE FUNCTION "release_signatures_refuse_change"()`,
    );
    await q.query(
      `CREATE TRIGGER "release_signatures_no_truncate" BEFORE TRUNCATE ON "release_signatures" FOR EACH STATEMENT EXECUTE FUNCTION "release_signatures_refuse_change"()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "release_signatures_no_truncate" ON "release_signatures"`);
    await q.query(`DROP TRIGGER "release_signatures_no_update_delete" ON "release_signatures"`);
    await q.query(`DROP FUNCTION "release_signatures_refuse_change"()`);
    await q.query(`ALTER TABLE "release_signatures" DROP CONSTRAINT "FK_release_signatures_release"`);
    await q.query(`ALTER TABLE "release_attachments" DROP CONSTRAINT "FK_release_attachments_release"`);
    await q.query(`DROP INDEX "public"."IDX_release_signatures_release"`);
    await q.query(`DROP TABLE "release_signatures"`);
    await q.query(`DROP INDEX "public"."UQ_release_attachments_release_kind_sha256"`);
    await q.query(`DROP TABLE "release_attachments"`);
    await q.query(`DROP TYPE "public"."release_attachment_kind"`);
    await q.query(`DROP INDEX "public"."UQ_releases_product_version"`);
    await q.query(`DROP TABLE "releases"`);
  }
}
