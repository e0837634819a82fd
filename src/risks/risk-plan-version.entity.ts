import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RiskPlan } from './risk-plan.entity';

/** One change of a product's risk management plan or residual-risk statement: who, when, before and after. */
@Entity('risk_plan_versions')
@Index('UQ_risk_plan_versions_plan_version', ['planId', 'version'], { unique: true })
export class RiskPlanVersion {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_risk_plan_versions' })
  id: string;

  @Column({ name: 'plan_id', type: 'uuid' })
  planId: string;

  @ManyToOne(() => RiskPlan, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'FK_risk_plan_versions_plan' })
  plan?: RiskPlan;

  @Column({ type: 'integer' })
  version: number;

  /** Pseudonymous actor reference (`user:<id>`), as in the audit trail. */
  @Column('text')
  actor: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  /** The plan before the change; null for its creation. */
  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb' })
  after: Record<string, unknown>;
}
