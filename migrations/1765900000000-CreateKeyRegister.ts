import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The keys and credentials register (issue 18): named secrets (never their values) with their owner and
 * rotation interval; the rotations recorded by CI or attested by the owner (append-only); and the notices
 * sent about a key's clock, one row per key, kind and due moment, so each is sent once only.
 */
export class CreateKeyRegister1765900000000 implements MigrationInterface {
  name = 'CreateKeyRegister1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "public"."key_kind" AS ENUM('third_party', 'service_role')`);
    await q.query(
      `CREATE TABLE "keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "system" text NOT NULL, "kind" "public"."key_kind" NOT NULL, "interval_days" integer, "owner_user_id" uuid NOT NULL, "department" text NOT NULL, "last_rotated_at" TIMESTAMP WITH TIME ZONE, "created_by_user_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_keys" PRIMARY KEY ("id"), CONSTRAINT "CHK_keys_interval_days" CHECK ("interval_days" IS NULL OR "interval_days" BETWEEN 1 AND 366))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_keys_name" ON "keys" ("name") `);
    await q.query(`CREATE INDEX "IDX_keys_department" ON "keys" ("department") `);
    await q.query(`CREATE TYPE "public"."key_rotation_source" AS ENUM('ci', 'owner_attestation')`);
    await q.query(
      `CREATE TABLE "key_rotations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key_id" uuid NOT NULL, "rotated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "source" "public"."key_rotation_source" NOT NULL, "actor_user_id" uuid NOT NULL, "note" text, "evidence" text, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_key_rotations" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_key_rotations_key" ON "key_rotations" ("key_id", "rotated_at") `);
    await q.query(
      `ALTER TABLE "key_rotations" ADD CONSTRAINT "FK_key_rotations_key" FOREIGN KEY ("key_id") REFERENCES "keys"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `CREATE TABLE "key_notices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key_id" uuid NOT NULL, "kind" text NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_key_notices" PRIMARY KEY ("id"), CONSTRAINT "CHK_key_notices_kind" CHECK ("kind" IN ('reminder', 'escalation')))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_key_notices_key_kind_due" ON "key_notices" ("key_id", "kind", "due_at") `);
    await q.query(
      `ALTER TABLE "key_notices" ADD CONSTRAINT "FK_key_notices_key" FOREIGN KEY ("key_id") REFERENCES "keys"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE FUNCTION "key_rotations_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'key_rotations is append-only: % is not allowed', TG_OP;
      END $$`);
    await q.query(
      `CREATE TRIGGER "key_rotations_no_update_delete" BEFORE UPDATE OR DELETE ON "key_rotations" FOR EACH ROW EXECUTE FUNCTION "key_rotations_refuse_change"()`,
    );
    await q.query(
      `CREATE TRIGGER "key_rotations_no_truncate" BEFORE TRUNCATE ON "key_rotations" FOR EACH STATEMENT EXECUTE FUNCTION "key_rotations_refuse_change"()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "key_rotations_no_truncate" ON "key_rotations"`);
    await q.query(`DROP TRIGGER "key_rotations_no_update_delete" ON "key_rotations"`);
    await q.query(`DROP FUNCTION "key_rotations_refuse_change"()`);
    await q.query(`ALTER TABLE "key_notices" DROP CONSTRAINT "FK_key_notices_key"`);
    await q.query(`DROP INDEX "public"."UQ_key_notices_key_kind_due"`);
    await q.query(`DROP TABLE "key_notices"`);
    await q.query(`ALTER TABLE "key_rotations" DROP CONSTRAINT "FK_key_rotations_key"`);
    await q.query(`DROP INDEX "public"."IDX_key_rotations_key"`);
    await q.query(`DROP TABLE "key_rotations"`);
    await q.query(`DROP TYPE "public"."key_rotation_source"`);
    await q.query(`DROP INDEX "public"."IDX_keys_department"`);
    await q.query(`DROP INDEX "public"."UQ_keys_name"`);
    await q.query(`DROP TABLE "keys"`);
    await q.query(`DROP TYPE "public"."key_kind"`);
  }
}
