import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotifications1764600000000 implements MigrationInterface {
  name = 'CreateNotifications1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "notification_email_status" AS ENUM ('not_needed', 'pending', 'sent', 'failed')`);
    await q.query(`CREATE TABLE "notifications" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "recipient_user_id" uuid NOT NULL,
      "kind" text NOT NULL,
      "dedupe_key" text NOT NULL,
      "subject" text NOT NULL,
      "body" text NOT NULL,
      "link" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "read_at" TIMESTAMP WITH TIME ZONE,
      "email_status" "notification_email_status" NOT NULL,
      "email_attempts" smallint NOT NULL DEFAULT '0',
      "email_next_attempt_at" TIMESTAMP WITH TIME ZONE,
      "email_last_error" text,
      "email_sent_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "CHK_notifications_email_attempts" CHECK ("email_attempts" >= 0),
      CONSTRAINT "PK_notifications" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_notifications_dedupe_key" ON "notifications" ("dedupe_key")`);
    await q.query(
      `CREATE INDEX "IDX_notifications_email_due" ON "notifications" ("email_status", "email_next_attempt_at")`,
    );
    await q.query(
      `CREATE INDEX "IDX_notifications_recipient_created" ON "notifications" ("recipient_user_id", "created_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "notifications"`);
    await q.query(`DROP TYPE "notification_email_status"`);
  }
}
