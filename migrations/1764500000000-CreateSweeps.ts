import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSweeps1764500000000 implements MigrationInterface {
  name = 'CreateSweeps1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "sweep_status" AS ENUM('open', 'closed')`);
    await q.query(
      `CREATE TABLE "sweeps" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "week" text NOT NULL, "status" "sweep_status" NOT NULL DEFAULT 'open', "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "opened_by" text NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, "summary_evidence_id" uuid, CONSTRAINT "PK_sweeps" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_sweeps_week" ON "sweeps" ("week")`);
    await q.query(`CREATE TYPE "sweep_task_status" AS ENUM('open', 'completed', 'attested', 'exception')`);
    await q.query(
      `CREATE TABLE "sweep_tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sweep_id" uuid NOT NULL, "control_id" uuid NOT NULL, "control_key" text NOT NULL, "control_title" text NOT NULL, "owner_user_id" uuid, "owner_department" text NOT NULL, "status" "sweep_task_status" NOT NULL DEFAULT 'open', "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, "completed_by" uuid, "note" text, "evidence_ids" uuid array NOT NULL DEFAULT '{}', CONSTRAINT "PK_sweep_tasks" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_sweep_tasks_owner_user" ON "sweep_tasks" ("owner_user_id")`);
    await q.query(`CREATE INDEX "IDX_sweep_tasks_owner_department" ON "sweep_tasks" ("owner_department")`);
    await q.query(`CREATE UNIQUE INDEX "UQ_sweep_tasks_sweep_control" ON "sweep_tasks" ("sweep_id", "control_id")`);
    await q.query(
      `ALTER TABLE "sweep_tasks" ADD CONSTRAINT "FK_sweep_tasks_sweep" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sweep_tasks" DROP CONSTRAINT "FK_sweep_tasks_sweep"`);
    await q.query(`DROP INDEX "UQ_sweep_tasks_sweep_control"`);
    await q.query(`DROP INDEX "IDX_sweep_tasks_owner_department"`);
    await q.query(`DROP INDEX "IDX_sweep_tasks_owner_user"`);
    await q.query(`DROP TABLE "sweep_tasks"`);
    await q.query(`DROP TYPE "sweep_task_status"`);
    await q.query(`DROP INDEX "UQ_sweeps_week"`);
    await q.query(`DROP TABLE "sweeps"`);
    await q.query(`DROP TYPE "sweep_status"`);
  }
}
