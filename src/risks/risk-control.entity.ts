import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RISK_CONTROL_TYPES, type RiskControlType } from './domain/risk-model';
import { Risk } from './risk.entity';

/**
 * A risk control measure (ISO 14971 7.1–7.2), in the standard's order of preference by `type`, linked to
 * the catalog control that implements it and to the evidence verifying its implementation and its
 * effectiveness. Replaced as a set when a risk's controls change (the risk's version keeps the history).
 */
@Entity('risk_controls')
@Index('UQ_risk_controls_risk_position', ['riskId', 'position'], { unique: true })
export class RiskControl {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_risk_controls' })
  id: string;

  @Column({ name: 'risk_id', type: 'uuid' })
  riskId: string;

  @ManyToOne(() => Risk, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'risk_id', foreignKeyConstraintName: 'FK_risk_controls_risk' })
  risk?: Risk;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'enum', enum: RISK_CONTROL_TYPES, enumName: 'risk_control_type' })
  type: RiskControlType;

  @Column('text')
  description: string;

  /** The catalog control implementing the measure (by id; catalog module). */
  @Index('IDX_risk_controls_control')
  @Column({ name: 'control_id', type: 'uuid', nullable: true })
  controlId: string | null;

  /** Evidence ids verifying the measure is implemented (evidence module). */
  @Column({ name: 'implementation_evidence_ids', type: 'uuid', array: true })
  implementationEvidenceIds: string[];

  /** Evidence ids verifying the measure is effective (evidence module). */
  @Column({ name: 'effectiveness_evidence_ids', type: 'uuid', array: true })
  effectivenessEvidenceIds: string[];

  /**
   * Refs of the risks (same register) this measure introduced (ISO 14971 7.5: risks arising from risk
   * control measures), each a risk entry of its own. Refs never change, so the link reads as the register does.
   */
  @Column({ name: 'arising_risk_refs', type: 'text', array: true })
  arisingRiskRefs: string[];
}
