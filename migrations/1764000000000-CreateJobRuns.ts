import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateJobRuns1764000000000 implements MigrationInterface {
  name = 'CreateJobRuns1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "job_run_status" AS ENUM ('running', 'succeeded', 'failed')`);
    await q.query(`CREATE TABLE "job_runs" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "name" text NOT NULL,
      "key" text NOT NULL,
      "status" "job_run_status" NOT NULL DEFAULT 'running',
      "progress" smallint NOT NULL DEFAULT 0,
      "stage" text,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "finished_at" TIMESTAMP WITH TIME ZONE,
      "error" text,
      CONSTRAINT "PK_job_runs" PRIMARY KEY ("id"),
      CONSTRAINT "CHK_job_runs_progress" CHECK ("progress" BETWEEN 0 AND 100))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_job_runs_key" ON "job_runs" ("key")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "job_runs"`);
    await q.query(`DROP TYPE "job_run_status"`);
  }
}
