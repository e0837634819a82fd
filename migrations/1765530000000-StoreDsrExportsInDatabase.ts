import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DSR export packages are stored encrypted in PostgreSQL (dsr_export_chunks), no longer as files under the
 * exporting instance's DATA_DIR found through an absolute path: a package exported through one instance
 * downloads through any other. Packages made before this are not moved (their files are on one host): the
 * request keeps its export hash and size, shows the package as removed and can be exported again; the old
 * files stay under that instance's DATA_DIR/dsr/exports until removed by hand (they are encrypted).
 */
export class StoreDsrExportsInDatabase1765530000000 implements MigrationInterface {
  name = 'StoreDsrExportsInDatabase1765530000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "dsr_export_chunks" ("request_id" uuid NOT NULL, "n" integer NOT NULL, "data" bytea NOT NULL,
        CONSTRAINT "PK_dsr_export_chunks" PRIMARY KEY ("request_id", "n"),
        CONSTRAINT "FK_dsr_export_chunks_request" FOREIGN KEY ("request_id") REFERENCES "dsr_requests"("id") ON DELETE CASCADE)`,
    );
    await q.query(`ALTER TABLE "dsr_requests" ADD "export_chunks" integer`);
    await q.query(`ALTER TABLE "dsr_requests" DROP COLUMN "export_path"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dsr_requests" ADD "export_path" text`);
    await q.query(`ALTER TABLE "dsr_requests" DROP COLUMN "export_chunks"`);
    await q.query(`DROP TABLE "dsr_export_chunks"`);
  }
}
