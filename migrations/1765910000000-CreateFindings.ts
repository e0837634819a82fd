import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The findings register (issue 18): findings from pen tests, scanner imports and manual entry, pen-test
 * engagements, imported scanner reports (one per kind, product and SHA-256) and risk acceptances, which are
 * signed and append-only.
 */
export class CreateFindings1765910000000 implements MigrationInterface {
  name = 'CreateFindings1765910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "pen_tests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "vendor" text NOT NULL, "title" text NOT NULL, "starts_on" date NOT NULL, "ends_on" date NOT NULL, "created_by_user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_pen_tests" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE TYPE "public"."finding_source" AS ENUM('pen_test', 'npm_audit', 'osv', 'gitleaks', 'manual')`,
    );
    await q.query(`CREATE TYPE "public"."finding_severity" AS ENUM('critical', 'high', 'moderate', 'low', 'info')`);
    await q.query(
      `CREATE TYPE "public"."finding_status" AS ENUM('open', 'fixed', 'resolved_by_scan', 'accepted', 'closed')`,
    );
    await q.query(`CREATE TYPE "public"."finding_retest_result" AS ENUM('passed', 'failed')`);
    await q.query(
      `CREATE TABLE "findings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "source" "public"."finding_source" NOT NULL, "pen_test_id" uuid, "scan_import_id" uuid, "fingerprint" text, "severity" "public"."finding_severity" NOT NULL, "title" text NOT NULL, "detail" text NOT NULL DEFAULT '', "product" text NOT NULL, "owner_user_id" uuid, "department" text NOT NULL, "status" "public"."finding_status" NOT NULL DEFAULT 'open', "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, "fix_evidence_id" uuid, "fix_note" text, "retest_result" "public"."finding_retest_result", "retested_at" TIMESTAMP WITH TIME ZONE, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_findings" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_findings_status" ON "findings"  ("status", "opened_at") `);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_findings_source_product_fingerprint" ON "findings"  ("source", "product", "fingerprint") `,
    );
    await q.query(
      `CREATE TABLE "finding_scan_imports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" "public"."finding_source" NOT NULL, "product" text NOT NULL, "sha256" character(64) NOT NULL, "evidence_id" uuid NOT NULL, "findings" integer NOT NULL, "created_by_user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_finding_scan_imports" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_finding_scan_imports_kind_product_sha256" ON "finding_scan_imports"  ("kind", "product", "sha256") `,
    );
    await q.query(
      `CREATE TABLE "finding_acceptances" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "finding_id" uuid NOT NULL, "reason" text NOT NULL, "expires_on" date NOT NULL, "meaning" text NOT NULL, "signer_user_id" uuid NOT NULL, "signer_role" text NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "record_sha256" character(64) NOT NULL, CONSTRAINT "PK_finding_acceptances" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_finding_acceptances_finding" ON "finding_acceptances"  ("finding_id", "signed_at") `,
    );
    await q.query(
      `ALTER TABLE "findings" ADD CONSTRAINT "FK_findings_pen_test" FOREIGN KEY ("pen_test_id") REFERENCES "pen_tests"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "finding_acceptances" ADD CONSTRAINT "FK_finding_acceptances_finding" FOREIGN KEY ("finding_id") REFERENCES "findings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE FUNCTION "finding_acceptances_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'finding_acceptances is append-only: % is not allowed', TG_OP;
      END $$`);
    await q.query(
      `CREATE TRIGGER "finding_acceptances_no_update_delete" BEFORE UPDATE OR DELETE ON "finding_acceptances" FOR EACH ROW EXECUTE FUNCTION "finding_acceptances_refuse_change"()`,
    );
    await q.query(
      `CREATE TRIGGER "finding_acceptances_no_truncate" BEFORE TRUNCATE ON "finding_acceptances" FOR EACH STATEMENT EXECUTE FUNCTION "finding_acceptances_refuse_change"()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "finding_acceptances_no_truncate" ON "finding_acceptances"`);
    await q.query(`DROP TRIGGER "finding_acceptances_no_update_delete" ON "finding_acceptances"`);
    await q.query(`DROP FUNCTION "finding_acceptances_refuse_change"()`);
    await q.query(`ALTER TABLE "finding_acceptances" DROP CONSTRAINT "FK_finding_acceptances_finding"`);
    await q.query(`ALTER TABLE "findings" DROP CONSTRAINT "FK_findings_pen_test"`);
    await q.query(`DROP INDEX "public"."IDX_finding_acceptances_finding"`);
    await q.query(`DROP TABLE "finding_acceptances"`);
    await q.query(`DROP INDEX "public"."UQ_finding_scan_imports_kind_product_sha256"`);
    await q.query(`DROP TABLE "finding_scan_imports"`);
    await q.query(`DROP INDEX "public"."UQ_findings_source_product_fingerprint"`);
    await q.query(`DROP INDEX "public"."IDX_findings_status"`);
    await q.query(`DROP TABLE "findings"`);
    await q.query(`DROP TYPE "public"."finding_retest_result"`);
    await q.query(`DROP TYPE "public"."finding_status"`);
    await q.query(`DROP TYPE "public"."finding_severity"`);
    await q.query(`DROP TYPE "public"."finding_source"`);
    await q.query(`DROP TABLE "pen_tests"`);
  }
}
