import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCatalog1764300000000 implements MigrationInterface {
  name = 'CreateCatalog1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "control_cadence" AS ENUM('weekly', 'monthly', 'quarterly', 'annual')`);
    await q.query(
      `CREATE TABLE "controls" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "title" text NOT NULL, "description" text NOT NULL, "owner_department" text NOT NULL, "owner_user_id" uuid, "cadence" "control_cadence" NOT NULL, "evidence_guidance" jsonb NOT NULL, "collector" text, "position" integer NOT NULL, "version" integer NOT NULL DEFAULT '1', "content_hash" text NOT NULL, "source_file" text NOT NULL, "retired_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_controls" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_controls_key" ON "controls" ("key")`);
    await q.query(`CREATE INDEX "IDX_controls_owner_department" ON "controls" ("owner_department")`);
    await q.query(`CREATE INDEX "IDX_controls_owner_user" ON "controls" ("owner_user_id")`);
    await q.query(
      `CREATE TABLE "frameworks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "name" text NOT NULL, "edition" text NOT NULL, "description" text, "version" integer NOT NULL DEFAULT '1', "content_hash" text NOT NULL, "source_file" text NOT NULL, "retired_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_frameworks" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_frameworks_key" ON "frameworks" ("key")`);
    await q.query(
      `CREATE TABLE "requirements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "framework_id" uuid NOT NULL, "ref" text NOT NULL, "group_name" text NOT NULL, "title" text NOT NULL, "not_applicable" text, "position" integer NOT NULL, "version" integer NOT NULL DEFAULT '1', "content_hash" text NOT NULL, "retired_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_requirements" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_requirements_framework_ref" ON "requirements" ("framework_id", "ref")`);
    await q.query(
      `CREATE TABLE "control_requirements" ("control_id" uuid NOT NULL, "requirement_id" uuid NOT NULL, CONSTRAINT "PK_control_requirements" PRIMARY KEY ("control_id", "requirement_id"))`,
    );
    await q.query(`CREATE INDEX "IDX_control_requirements_requirement" ON "control_requirements" ("requirement_id")`);
    await q.query(
      `ALTER TABLE "requirements" ADD CONSTRAINT "FK_requirements_framework" FOREIGN KEY ("framework_id") REFERENCES "frameworks"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "control_requirements" ADD CONSTRAINT "FK_control_requirements_control" FOREIGN KEY ("control_id") REFERENCES "controls"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "control_requirements" ADD CONSTRAINT "FK_control_requirements_requirement" FOREIGN KEY ("requirement_id") REFERENCES "requirements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "control_requirements" DROP CONSTRAINT "FK_control_requirements_requirement"`);
    await q.query(`ALTER TABLE "control_requirements" DROP CONSTRAINT "FK_control_requirements_control"`);
    await q.query(`ALTER TABLE "requirements" DROP CONSTRAINT "FK_requirements_framework"`);
    await q.query(`DROP INDEX "IDX_control_requirements_requirement"`);
    await q.query(`DROP TABLE "control_requirements"`);
    await q.query(`DROP INDEX "UQ_requirements_framework_ref"`);
    await q.query(`DROP TABLE "requirements"`);
    await q.query(`DROP INDEX "UQ_frameworks_key"`);
    await q.query(`DROP TABLE "frameworks"`);
    await q.query(`DROP INDEX "IDX_controls_owner_user"`);
    await q.query(`DROP INDEX "IDX_controls_owner_department"`);
    await q.query(`DROP INDEX "UQ_controls_key"`);
    await q.query(`DROP TABLE "controls"`);
    await q.query(`DROP TYPE "control_cadence"`);
  }
}
