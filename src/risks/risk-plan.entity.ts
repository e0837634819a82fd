import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { RISK_REVIEW_CADENCES, type RiskReviewCadence } from './domain/risk-model';

/**
 * A product's risk management plan (ISO 14971 4.4: scope, intended use, the acceptability policy, how often
 * the risks are reviewed) and its overall residual-risk statement (clause 8: the text, who wrote it, when).
 * Every change bumps `version` and is kept in risk_plan_versions.
 */
@Entity('risk_plans')
@Index('UQ_risk_plans_product', ['product'], { unique: true })
export class RiskPlan {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_risk_plans' })
  id: string;

  /** The product key, as risks name it (risks.product). */
  @Column('text')
  product: string;

  @Column('text')
  scope: string;

  @Column({ name: 'intended_use', type: 'text' })
  intendedUse: string;

  /** The criteria for risk acceptability for this product (the matrix file is the company-wide policy). */
  @Column({ name: 'acceptability_policy', type: 'text' })
  acceptabilityPolicy: string;

  @Column({ name: 'review_cadence', type: 'enum', enum: RISK_REVIEW_CADENCES, enumName: 'risk_review_cadence' })
  reviewCadence: RiskReviewCadence;

  /** The overall residual risk evaluation (ISO 14971 clause 8); null until written. */
  @Column({ name: 'residual_risk_statement', type: 'text', nullable: true })
  residualRiskStatement: string | null;

  /** Who last wrote the statement (identity module's user id) and when. */
  @Column({ name: 'residual_statement_by_user_id', type: 'uuid', nullable: true })
  residualStatementByUserId: string | null;

  @Column({ name: 'residual_statement_at', type: 'timestamptz', nullable: true })
  residualStatementAt: Date | null;

  @Column({ type: 'integer' })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
