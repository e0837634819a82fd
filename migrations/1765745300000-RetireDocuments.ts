import type { MigrationInterface, QueryRunner } from 'typeorm';

const FINAL_STATES_OLD = `OLD.status = 'acknowledged'`;
const FINAL_STATES_NEW = `OLD.status IN ('acknowledged', 'cancelled')`;

/** The acknowledgement trigger's function, with the states in which a task is final. */
function refuseChange(finalStates: string): string {
  return `CREATE OR REPLACE FUNCTION "document_acknowledgements_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF ${finalStates} THEN
            RAISE EXCEPTION 'acknowledgement % is final: it cannot be deleted', OLD.id;
          END IF;
          RETURN OLD;
        END IF;
        IF ${finalStates} OR NEW.user_id IS DISTINCT FROM OLD.user_id
            OR NEW.version_id IS DISTINCT FROM OLD.version_id OR NEW.version_sha256 IS DISTINCT FROM OLD.version_sha256 THEN
          RAISE EXCEPTION 'acknowledgement % cannot change what it records', OLD.id;
        END IF;
        RETURN NEW;
      END $$`;
}

/**
 * Retiring a controlled document (issue 17): when and why on the document, when on the version that was in
 * force; its open acknowledgement tasks are cancelled (a new status, final like an acknowledgement).
 */
export class RetireDocuments1765745300000 implements MigrationInterface {
  name = 'RetireDocuments1765745300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "documents" ADD "retired_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "documents" ADD "retired_reason" text`);
    await q.query(`ALTER TABLE "document_versions" ADD "retired_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TYPE "public"."document_acknowledgement_status" ADD VALUE 'cancelled'`);
    await q.query(`ALTER TABLE "document_acknowledgements" ADD "cancelled_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(refuseChange(FINAL_STATES_NEW));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(refuseChange(FINAL_STATES_OLD));
    await q.query(`UPDATE "document_acknowledgements" SET "status" = 'pending' WHERE "status" = 'cancelled'`);
    await q.query(`ALTER TABLE "document_acknowledgements" DROP COLUMN "cancelled_at"`);
    await q.query(
      `ALTER TYPE "public"."document_acknowledgement_status" RENAME TO "document_acknowledgement_status_old"`,
    );
    await q.query(`CREATE TYPE "public"."document_acknowledgement_status" AS ENUM('pending', 'acknowledged')`);
    await q.query(`ALTER TABLE "document_acknowledgements" ALTER COLUMN "status" DROP DEFAULT`);
    await q.query(
      `ALTER TABLE "document_acknowledgements" ALTER COLUMN "status" TYPE "public"."document_acknowledgement_status" USING "status"::text::"public"."document_acknowledgement_status"`,
    );
    await q.query(`ALTER TABLE "document_acknowledgements" ALTER COLUMN "status" SET DEFAULT 'pending'`);
    await q.query(`DROP TYPE "public"."document_acknowledgement_status_old"`);
    await q.query(`ALTER TABLE "document_versions" DROP COLUMN "retired_at"`);
    await q.query(`ALTER TABLE "documents" DROP COLUMN "retired_reason"`);
    await q.query(`ALTER TABLE "documents" DROP COLUMN "retired_at"`);
  }
}
