import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Acknowledgement tasks of controlled documents (issue 17): one per published version and person. An
 * acknowledgement is final: a trigger refuses to change what it records (who, which version and hash, when).
 */
export class CreateDocumentAcknowledgements1765730000000 implements MigrationInterface {
  name = 'CreateDocumentAcknowledgements1765730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "public"."document_acknowledgement_status" AS ENUM('pending', 'acknowledged')`);
    await q.query(
      `CREATE TABLE "document_acknowledgements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "document_id" uuid NOT NULL, "version_id" uuid NOT NULL, "version_number" integer NOT NULL, "version_sha256" character(64) NOT NULL, "user_id" uuid NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" "public"."document_acknowledgement_status" NOT NULL DEFAULT 'pending', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "acknowledged_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_document_acknowledgements" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_document_acknowledgements_version_user" ON "document_acknowledgements"  ("version_id", "user_id") `,
    );
    await q.query(
      `CREATE INDEX "IDX_document_acknowledgements_user" ON "document_acknowledgements"  ("user_id", "status") `,
    );
    await q.query(
      `CREATE INDEX "IDX_document_acknowledgements_document" ON "document_acknowledgements"  ("document_id") `,
    );
    await q.query(
      `ALTER TABLE "document_acknowledgements" ADD CONSTRAINT "FK_document_acknowledgements_version" FOREIGN KEY ("version_id") REFERENCES "document_versions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE FUNCTION "document_acknowledgements_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.status = 'acknowledged' THEN
            RAISE EXCEPTION 'acknowledgement % is final: it cannot be deleted', OLD.id;
          END IF;
          RETURN OLD;
        END IF;
        IF OLD.status = 'acknowledged' OR NEW.user_id IS DISTINCT FROM OLD.user_id
            OR NEW.version_id IS DISTINCT FROM OLD.version_id OR NEW.version_sha256 IS DISTINCT FROM OLD.version_sha256 THEN
          RAISE EXCEPTION 'acknowledgement % cannot change what it records', OLD.id;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER "document_acknowledgements_final" BEFORE UPDATE OR DELETE ON "document_acknowledgements" FOR EACH ROW EXECUTE FUNCTION "document_acknowledgements_refuse_change"()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "document_acknowledgements_final" ON "document_acknowledgements"`);
    await q.query(`DROP FUNCTION "document_acknowledgements_refuse_change"()`);
    await q.query(`ALTER TABLE "document_acknowledgements" DROP CONSTRAINT "FK_document_acknowledgements_version"`);
    await q.query(`DROP TABLE "document_acknowledgements"`);
    await q.query(`DROP TYPE "public"."document_acknowledgement_status"`);
  }
}
