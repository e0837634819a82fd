import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The incident register (issue 16): incidents with severity, categories and lifecycle; their severity
 * changes, timeline, breach assessments, notices sent outside, CAPAs and linked risks.
 */
export class CreateIncidents1765600000000 implements MigrationInterface {
  name = 'CreateIncidents1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TYPE "public"."incident_status" AS ENUM('detect', 'contain', 'analyze', 'fix', 'learn', 'closed')`,
    );
    await q.query(
      `CREATE TABLE "incidents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "number" SERIAL NOT NULL, "external_key" text, "source" text NOT NULL, "title" text NOT NULL, "description" text NOT NULL, "status" "public"."incident_status" NOT NULL, "severity" text NOT NULL, "categories" text array NOT NULL, "personal_data" boolean NOT NULL, "clinical_safety" boolean NOT NULL, "detected_at" TIMESTAMP WITH TIME ZONE NOT NULL, "aware_at" TIMESTAMP WITH TIME ZONE NOT NULL, "reporter_user_id" uuid NOT NULL, "reporter_role" text NOT NULL, "commander_user_id" uuid, "affected_systems" text array NOT NULL, "products" text array NOT NULL, "customers" text array NOT NULL, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "first_user_update_at" TIMESTAMP WITH TIME ZONE, "adverse_event_category" text, "fsca_started_at" TIMESTAMP WITH TIME ZONE, "fsca_closed_at" TIMESTAMP WITH TIME ZONE, "review" jsonb, "closed_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_incidents" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_incidents_number" ON "incidents"  ("number") `);
    await q.query(`CREATE UNIQUE INDEX "UQ_incidents_external_key" ON "incidents"  ("external_key") `);
    await q.query(`CREATE INDEX "IDX_incidents_status" ON "incidents"  ("status") `);
    await q.query(`CREATE INDEX "IDX_incidents_aware_at" ON "incidents"  ("aware_at") `);
    await q.query(`CREATE INDEX "IDX_incidents_reporter" ON "incidents"  ("reporter_user_id") `);
    await q.query(`CREATE INDEX "IDX_incidents_commander" ON "incidents"  ("commander_user_id") `);
    await q.query(
      `CREATE TABLE "incident_severity_changes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "severity" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor" text NOT NULL, "reason" text, CONSTRAINT "PK_incident_severity_changes" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_incident_severity_changes_incident" ON "incident_severity_changes"  ("incident_id", "at") `,
    );
    await q.query(
      `CREATE TABLE "incident_timeline" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "kind" text NOT NULL, "text" text NOT NULL, "actor" text NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_incident_timeline" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_incident_timeline_incident" ON "incident_timeline"  ("incident_id", "at") `);
    await q.query(
      `CREATE TABLE "incident_breach_assessments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "decision" text NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "facts" jsonb NOT NULL, "actor" text NOT NULL, CONSTRAINT "PK_incident_breach_assessments" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_incident_breach_assessments_incident" ON "incident_breach_assessments"  ("incident_id", "decided_at") `,
    );
    await q.query(
      `CREATE TABLE "incident_notices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "kind" text NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL, "channel" text NOT NULL, "reference" text, "recipients_count" integer, "late_reason" text, "actor" text NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_incident_notices" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_incident_notices_incident" ON "incident_notices"  ("incident_id", "sent_at") `);
    await q.query(`CREATE TYPE "public"."incident_capa_status" AS ENUM('open', 'done', 'accepted')`);
    await q.query(
      `CREATE TABLE "incident_capas" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "incident_id" uuid NOT NULL, "title" text NOT NULL, "owner_user_id" uuid NOT NULL, "due_on" date NOT NULL, "status" "public"."incident_capa_status" NOT NULL DEFAULT 'open', "verification_evidence_id" uuid, "note" text, "closed_at" TIMESTAMP WITH TIME ZONE, "closed_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_incident_capas" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_incident_capas_owner" ON "incident_capas"  ("owner_user_id") `);
    await q.query(`CREATE INDEX "IDX_incident_capas_incident" ON "incident_capas"  ("incident_id") `);
    await q.query(
      `CREATE TABLE "incident_risks" ("incident_id" uuid NOT NULL, "risk_id" uuid NOT NULL, CONSTRAINT "PK_incident_risks" PRIMARY KEY ("incident_id", "risk_id"))`,
    );
    await q.query(
      `ALTER TABLE "incident_severity_changes" ADD CONSTRAINT "FK_incident_severity_changes_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "incident_timeline" ADD CONSTRAINT "FK_incident_timeline_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "incident_breach_assessments" ADD CONSTRAINT "FK_incident_breach_assessments_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "incident_notices" ADD CONSTRAINT "FK_incident_notices_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "incident_capas" ADD CONSTRAINT "FK_incident_capas_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "incident_risks" ADD CONSTRAINT "FK_incident_risks_incident" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "incident_risks" ADD CONSTRAINT "FK_incident_risks_risk" FOREIGN KEY ("risk_id") REFERENCES "risks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "incident_risks" DROP CONSTRAINT "FK_incident_risks_risk"`);
    await q.query(`ALTER TABLE "incident_risks" DROP CONSTRAINT "FK_incident_risks_incident"`);
    await q.query(`ALTER TABLE "incident_capas" DROP CONSTRAINT "FK_incident_capas_incident"`);
    await q.query(`ALTER TABLE "incident_notices" DROP CONSTRAINT "FK_incident_notices_incident"`);
    await q.query(
      `ALTER TABLE "incident_breach_assessments" DROP CONSTRAINT "FK_incident_breach_assessments_incident"`,
    );
    await q.query(`ALTER TABLE "incident_timeline" DROP CONSTRAINT "FK_incident_timeline_incident"`);
    await q.query(`ALTER TABLE "incident_severity_changes" DROP CONSTRAINT "FK_incident_severity_changes_incident"`);
    await q.query(`DROP TABLE "incident_risks"`);
    await q.query(`DROP INDEX "public"."IDX_incident_capas_incident"`);
    await q.query(`DROP INDEX "public"."IDX_incident_capas_owner"`);
    await q.query(`DROP TABLE "incident_capas"`);
    await q.query(`DROP TYPE "public"."incident_capa_status"`);
    await q.query(`DROP INDEX "public"."IDX_incident_notices_incident"`);
    await q.query(`DROP TABLE "incident_notices"`);
    await q.query(`DROP INDEX "public"."IDX_incident_breach_assessments_incident"`);
    await q.query(`DROP TABLE "incident_breach_assessments"`);
    await q.query(`DROP INDEX "public"."IDX_incident_timeline_incident"`);
    await q.query(`DROP TABLE "incident_timeline"`);
    await q.query(`DROP INDEX "public"."IDX_incident_severity_changes_incident"`);
    await q.query(`DROP TABLE "incident_severity_changes"`);
    await q.query(`DROP INDEX "public"."IDX_incidents_commander"`);
    await q.query(`DROP INDEX "public"."IDX_incidents_reporter"`);
    await q.query(`DROP INDEX "public"."IDX_incidents_aware_at"`);
    await q.query(`DROP INDEX "public"."IDX_incidents_status"`);
    await q.query(`DROP INDEX "public"."UQ_incidents_external_key"`);
    await q.query(`DROP INDEX "public"."UQ_incidents_number"`);
    await q.query(`DROP TABLE "incidents"`);
    await q.query(`DROP TYPE "public"."incident_status"`);
  }
}
