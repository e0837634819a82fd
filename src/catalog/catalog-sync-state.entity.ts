import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What the last catalog sync was made from, one row: the fingerprint of controls/ and of the code that turns
 * it into rows (catalogFingerprint()). A start whose files and code give the same fingerprint skips parsing
 * and syncing. Written in the sync's own transaction, so a failed sync leaves the earlier one; kept in the
 * database, not on an instance's disk, because every instance starts against the same catalog tables.
 * A migration that changes what a sync writes deletes the row, so the next start syncs again.
 */
@Entity('catalog_sync_state')
export class CatalogSyncState {
  /** Always 1: the table holds one row. */
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'PK_catalog_sync_state' })
  id: number;

  /** Hex SHA-256 (catalogFingerprint()). */
  @Column({ type: 'text' })
  fingerprint: string;

  @Column({ name: 'synced_at', type: 'timestamptz' })
  syncedAt: Date;
}
