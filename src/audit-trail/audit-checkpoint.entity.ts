import { Column, CreateDateColumn, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';

const bigintAsNumber: ValueTransformer = { to: (v: number) => v, from: (v: string) => Number(v) };

/**
 * A signed checkpoint as every instance sees it (the same text as the checkpoint file the writing instance
 * keeps under its DATA_DIR and copies to AUDIT_CHECKPOINT_EXPORT_DIR). The signature is what makes it
 * trustworthy, not the table: a row that was changed fails verification. One per seq, never updated.
 */
@Entity('audit_checkpoints')
export class AuditCheckpoint {
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_audit_checkpoints', transformer: bigintAsNumber })
  seq: number;

  @Column('text')
  hash: string;

  /** The signing key's id (hex), as in the signature line. */
  @Column({ name: 'key_id', type: 'text' })
  keyId: string;

  /** The signed note, exactly as in the file. */
  @Column('text')
  text: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
