import { Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A compliance framework (pdpa, soc2, iso14971, samd), synced from controls/frameworks/<key>.yaml. */
@Entity('frameworks')
export class Framework {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_frameworks' })
  id: string;

  @Index('UQ_frameworks_key', { unique: true })
  @Column('text')
  key: string;

  @Column('text')
  name: string;

  /** The standard's edition, as the file states it. */
  @Column({ name: 'edition', type: 'text' })
  edition: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Bumped each time a sync changes the framework's own fields. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'content_hash', type: 'text' })
  contentHash: string;

  @Column({ name: 'source_file', type: 'text' })
  sourceFile: string;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
