import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentity1764100000000 implements MigrationInterface {
  name = 'CreateIdentity1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "departments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" text NOT NULL, "name" text NOT NULL, CONSTRAINT "PK_departments" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_departments_key" ON "departments" ("key")`);
    await q.query(
      `CREATE TYPE "user_role" AS ENUM('admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer')`,
    );
    await q.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "name" text NOT NULL, "role" "user_role" NOT NULL, "department_id" uuid, "active" boolean NOT NULL DEFAULT true, "password_hash" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_login_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_users_email_lower" CHECK ("email" = lower("email")), CONSTRAINT "PK_users" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_users_email" ON "users" ("email")`);
    await q.query(
      `CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" text NOT NULL, "token_prefix" text NOT NULL, "token_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_api_tokens" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_api_tokens_user" ON "api_tokens" ("user_id")`);
    await q.query(`CREATE UNIQUE INDEX "UQ_api_tokens_token_hash" ON "api_tokens" ("token_hash")`);
    await q.query(
      `CREATE TABLE "sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "token_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_sessions" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_sessions_user" ON "sessions" ("user_id")`);
    await q.query(`CREATE UNIQUE INDEX "UQ_sessions_token_hash" ON "sessions" ("token_hash")`);
    await q.query(
      `ALTER TABLE "users" ADD CONSTRAINT "FK_users_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_api_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "FK_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sessions" DROP CONSTRAINT "FK_sessions_user"`);
    await q.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_api_tokens_user"`);
    await q.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_users_department"`);
    await q.query(`DROP INDEX "UQ_sessions_token_hash"`);
    await q.query(`DROP INDEX "IDX_sessions_user"`);
    await q.query(`DROP TABLE "sessions"`);
    await q.query(`DROP INDEX "UQ_api_tokens_token_hash"`);
    await q.query(`DROP INDEX "IDX_api_tokens_user"`);
    await q.query(`DROP TABLE "api_tokens"`);
    await q.query(`DROP INDEX "UQ_users_email"`);
    await q.query(`DROP TABLE "users"`);
    await q.query(`DROP TYPE "user_role"`);
    await q.query(`DROP INDEX "UQ_departments_key"`);
    await q.query(`DROP TABLE "departments"`);
  }
}
