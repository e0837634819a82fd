import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Login throttling counters in PostgreSQL, shared by every instance (they were in each process's memory). */
export class CreateRateLimits1765500000000 implements MigrationInterface {
  name = 'CreateRateLimits1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "rate_limits" ("key" text NOT NULL, "hits" integer NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_rate_limits" PRIMARY KEY ("key"))`,
    );
    await q.query(`CREATE INDEX "IDX_rate_limits_expires_at" ON "rate_limits" ("expires_at") `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_rate_limits_expires_at"`);
    await q.query(`DROP TABLE "rate_limits"`);
  }
}
