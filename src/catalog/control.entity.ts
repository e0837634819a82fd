import { Check, Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { CADENCES, type Cadence } from './domain/catalog-model';

/**
 * One of the company's controls, synced from controls/controls/*.yaml. The owner department comes from
 * the YAML; the owner person is assigned in the app and survives re-syncs. Retired, never deleted.
 */
@Entity('controls')
@Check(
  'CHK_controls_max_interval',
  `("cadence"::text = 'event') = ("max_interval_days" IS NOT NULL) AND ("max_interval_days" IS NULL OR "max_interval_days" BETWEEN 1 AND 1096)`,
)
export class Control {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_controls' })
  id: string;

  @Index('UQ_controls_key', { unique: true })
  @Column('text')
  key: string;

  @Column('text')
  title: string;

  @Column('text')
  description: string;

  /** Department key (identity module; referenced by key, the catalog's own identifier). */
  @Index('IDX_controls_owner_department')
  @Column({ name: 'owner_department', type: 'text' })
  ownerDepartment: string;

  /** The person accountable, assigned in the app (identity module's user id). */
  @Index('IDX_controls_owner_user')
  @Column({ name: 'owner_user_id', type: 'uuid', nullable: true })
  ownerUserId: string | null;

  @Column({ type: 'enum', enum: CADENCES, enumName: 'control_cadence' })
  cadence: Cadence;

  /** Cadence `event` only: the longest gap allowed between two occurrences' evidence, in days. */
  @Column({ name: 'max_interval_days', type: 'integer', nullable: true })
  maxIntervalDays: number | null;

  /** What to attach each period. */
  @Column({ name: 'evidence_guidance', type: 'jsonb' })
  evidenceGuidance: string[];

  @Column({ type: 'text', nullable: true })
  collector: string | null;

  @Column({ type: 'integer' })
  position: number;

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
