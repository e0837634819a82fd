import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Page form submissions by idempotency key (src/web/form-idempotency.ts): a repeated POST of the same form
 * with the same key is answered with the first one's redirect instead of running again, on any instance.
 */
export class CreateFormSubmissions1765420000000 implements MigrationInterface {
  name = 'CreateFormSubmissions1765420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "form_submissions" ("actor_id" uuid NOT NULL, "form_key" text NOT NULL, "form" text NOT NULL, "location" text, "flash" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_form_submissions" PRIMARY KEY ("actor_id", "form_key", "form"))`,
    );
    await q.query(`CREATE INDEX "IDX_form_submissions_created_at" ON "form_submissions" ("created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_form_submissions_created_at"`);
    await q.query(`DROP TABLE "form_submissions"`);
  }
}
