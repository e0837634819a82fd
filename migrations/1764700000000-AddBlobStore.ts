import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a blob's bytes are: `postgres` (blob_chunks, every blob so far) or `filesystem` (a file under
 * BLOB_DIR named by the hash, with BLOB_STORE=filesystem). The row itself stays in PostgreSQL either way.
 */
export class AddBlobStore1764700000000 implements MigrationInterface {
  name = 'AddBlobStore1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "blobs" ADD "store" text NOT NULL DEFAULT 'postgres'`);
    await q.query(`ALTER TABLE "blobs" ADD CONSTRAINT "CHK_blobs_store" CHECK ("store" IN ('postgres', 'filesystem'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Without the column a filesystem blob would pass for a PostgreSQL blob with no chunks: refuse instead.
    const onDisk: unknown[] = await q.query(`SELECT 1 FROM "blobs" WHERE "store" = 'filesystem' LIMIT 1`);
    if (onDisk.length)
      throw new Error(
        'blobs are stored on the filesystem (BLOB_STORE=filesystem): copy them into blob_chunks before reverting AddBlobStore',
      );
    await q.query(`ALTER TABLE "blobs" DROP CONSTRAINT "CHK_blobs_store"`);
    await q.query(`ALTER TABLE "blobs" DROP COLUMN "store"`);
  }
}
