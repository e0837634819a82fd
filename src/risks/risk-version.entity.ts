import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Risk } from './risk.entity';
import type { RiskSnapshot } from './domain/risk-model';

/** One change of a risk: who, when, and the risk (with its controls) before and after. */
@Entity('risk_versions')
@Index('UQ_risk_versions_risk_version', ['riskId', 'version'], { unique: true })
export class RiskVersion {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_risk_versions' })
  id: string;

  @Column({ name: 'risk_id', type: 'uuid' })
  riskId: string;

  @ManyToOne(() => Risk, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'risk_id', foreignKeyConstraintName: 'FK_risk_versions_risk' })
  risk?: Risk;

  @Column({ type: 'integer' })
  version: number;

  /** Pseudonymous actor reference (`user:<id>`, `system:<name>`), as in the audit trail. */
  @Column('text')
  actor: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  /** The risk before the change; null for its creation. */
  @Column({ type: 'jsonb', nullable: true })
  before: RiskSnapshot | null;

  @Column({ type: 'jsonb' })
  after: RiskSnapshot;
}
