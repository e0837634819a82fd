import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRisks1764800000000 implements MigrationInterface {
  name = 'CreateRisks1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "public"."risk_register" AS ENUM('iso14971', 'security')`);
    await q.query(`CREATE TYPE "public"."risk_level" AS ENUM('acceptable', 'alara', 'unacceptable')`);
    await q.query(`CREATE TYPE "public"."risk_status" AS ENUM('open', 'controlled', 'accepted', 'closed')`);
    await q.query(`CREATE TYPE "public"."risk_treatment" AS ENUM('mitigate', 'accept', 'transfer', 'avoid')`);
    await q.query(
      `CREATE TABLE "risks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "register" "public"."risk_register" NOT NULL, "ref" text NOT NULL, "product" text NOT NULL, "title" text NOT NULL, "hazard" text, "sequence_of_events" text, "hazardous_situation" text, "harm" text, "severity" text NOT NULL, "probability" text NOT NULL, "p1" text, "p2" text, "level" "public"."risk_level" NOT NULL, "residual_severity" text, "residual_probability" text, "residual_level" "public"."risk_level", "benefit_risk" text, "status" "public"."risk_status" NOT NULL DEFAULT 'open', "treatment" "public"."risk_treatment", "due_on" date, "owner_user_id" uuid NOT NULL, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_risks" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_risks_product" ON "risks"  ("product") `);
    await q.query(`CREATE INDEX "IDX_risks_status" ON "risks"  ("status") `);
    await q.query(`CREATE INDEX "IDX_risks_owner_user" ON "risks"  ("owner_user_id") `);
    await q.query(`CREATE UNIQUE INDEX "UQ_risks_register_ref" ON "risks"  ("register", "ref") `);
    await q.query(
      `CREATE TYPE "public"."risk_control_type" AS ENUM('inherent_design', 'protective_measure', 'information_for_safety')`,
    );
    await q.query(
      `CREATE TABLE "risk_controls" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "risk_id" uuid NOT NULL, "position" integer NOT NULL, "type" "public"."risk_control_type" NOT NULL, "description" text NOT NULL, "control_id" uuid, "implementation_evidence_ids" uuid array NOT NULL, "effectiveness_evidence_ids" uuid array NOT NULL, CONSTRAINT "PK_risk_controls" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_risk_controls_control" ON "risk_controls"  ("control_id") `);
    await q.query(`CREATE UNIQUE INDEX "UQ_risk_controls_risk_position" ON "risk_controls"  ("risk_id", "position") `);
    await q.query(
      `CREATE TABLE "risk_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "risk_id" uuid NOT NULL, "version" integer NOT NULL, "actor" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "before" jsonb, "after" jsonb NOT NULL, CONSTRAINT "PK_risk_versions" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_risk_versions_risk_version" ON "risk_versions"  ("risk_id", "version") `);
    await q.query(
      `ALTER TABLE "risk_controls" ADD CONSTRAINT "FK_risk_controls_risk" FOREIGN KEY ("risk_id") REFERENCES "risks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "risk_versions" ADD CONSTRAINT "FK_risk_versions_risk" FOREIGN KEY ("risk_id") REFERENCES "risks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "risk_versions" DROP CONSTRAINT "FK_risk_versions_risk"`);
    await q.query(`ALTER TABLE "risk_controls" DROP CONSTRAINT "FK_risk_controls_risk"`);
    await q.query(`DROP INDEX "public"."UQ_risk_versions_risk_version"`);
    await q.query(`DROP TABLE "risk_versions"`);
    await q.query(`DROP INDEX "public"."UQ_risk_controls_risk_position"`);
    await q.query(`DROP INDEX "public"."IDX_risk_controls_control"`);
    await q.query(`DROP TABLE "risk_controls"`);
    await q.query(`DROP TYPE "public"."risk_control_type"`);
    await q.query(`DROP INDEX "public"."UQ_risks_register_ref"`);
    await q.query(`DROP INDEX "public"."IDX_risks_owner_user"`);
    await q.query(`DROP INDEX "public"."IDX_risks_status"`);
    await q.query(`DROP INDEX "public"."IDX_risks_product"`);
    await q.query(`DROP TABLE "risks"`);
    await q.query(`DROP TYPE "public"."risk_treatment"`);
    await q.query(`DROP TYPE "public"."risk_status"`);
    await q.query(`DROP TYPE "public"."risk_level"`);
    await q.query(`DROP TYPE "public"."risk_register"`);
  }
}
