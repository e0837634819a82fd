import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit packs are stored in the blob store (named by their SHA-256), no longer as files under the building
 * instance's DATA_DIR found through an absolute path. Packs built before this have no blobs: they are
 * marked failed with a message saying to request them again (a new build stores its files where every
 * instance reads them); their old files stay under that instance's DATA_DIR/packs until removed by hand.
 */
export class StorePacksInBlobStore1765520000000 implements MigrationInterface {
  name = 'StorePacksInBlobStore1765520000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE "audit_packs" SET "status" = 'failed', "error" = 'Built before audit packs were stored where every instance reads them (its files stayed on one instance''s disk): request the pack again to rebuild it.'
        WHERE "status" = 'done' AND NOT EXISTS (SELECT 1 FROM "blobs" b WHERE b."sha256" = "audit_packs"."zip_sha256")`,
    );
    await q.query(`ALTER TABLE "audit_packs" DROP COLUMN "pdf_path"`);
    await q.query(`ALTER TABLE "audit_packs" DROP COLUMN "zip_path"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "audit_packs" ADD "zip_path" text`);
    await q.query(`ALTER TABLE "audit_packs" ADD "pdf_path" text`);
  }
}
