import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { DataSystemDefinition } from './domain/data-map';

/** A company data store DSRs are executed against, with its data map. Secrets are kept encrypted apart. */
@Entity('data_systems')
@Index('UQ_data_systems_key', ['key'], { unique: true })
export class DataSystem {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_data_systems' })
  id: string;

  @Column('text')
  key: string;

  @Column('text')
  name: string;

  /** postgres | http | manual */
  @Column('text')
  kind: string;

  @Column({ name: 'owner_department', type: 'text', nullable: true })
  ownerDepartment: string | null;

  @Column({ name: 'owner_user_id', type: 'uuid', nullable: true })
  ownerUserId: string | null;

  /** The validated definition (data map) without its secrets. */
  @Column({ type: 'jsonb' })
  definition: DataSystemDefinition;

  /** The secrets (connection URL, bearer token) as one AES-256-GCM token carrying its key id. */
  @Column({ name: 'secrets_enc', type: 'text', nullable: true })
  secretsEnc: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'int', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
