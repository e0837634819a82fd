import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the last catalog sync was made from (issue 15): a start whose controls/ and sync code are unchanged
 * skips parsing and syncing the catalog.
 */
export class CreateCatalogSyncState1766000000000 implements MigrationInterface {
  name = 'CreateCatalogSyncState1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "catalog_sync_state" ("id" smallint NOT NULL, "fingerprint" text NOT NULL, "synced_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_catalog_sync_state" PRIMARY KEY ("id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "catalog_sync_state"`);
  }
}
