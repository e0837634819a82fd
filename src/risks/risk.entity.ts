import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { RISK_LEVELS, type RiskLevel } from './domain/risk-matrix';
import {
  RISK_REGISTERS,
  RISK_STATUSES,
  RISK_TREATMENTS,
  type RiskRegister,
  type RiskStatus,
  type RiskTreatment,
} from './domain/risk-model';

/**
 * An entry of a risk register: ISO 14971 (hazard → sequence of events → hazardous situation → harm) or
 * information security (SOC 2 CC3: likelihood on the probability axis, impact on the severity axis).
 * Levels are always computed from controls/risk-matrix.yaml. Every change bumps `version` and is kept in
 * risk_versions.
 */
@Entity('risks')
@Index('UQ_risks_register_ref', ['register', 'ref'], { unique: true })
export class Risk {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_risks' })
  id: string;

  @Column({ type: 'enum', enum: RISK_REGISTERS, enumName: 'risk_register' })
  register: RiskRegister;

  /** e.g. HAZ-001 or SEC-004, unique in its register. */
  @Column('text')
  ref: string;

  @Index('IDX_risks_product')
  @Column('text')
  product: string;

  @Column('text')
  title: string;

  @Column({ type: 'text', nullable: true })
  hazard: string | null;

  @Column({ name: 'sequence_of_events', type: 'text', nullable: true })
  sequenceOfEvents: string | null;

  @Column({ name: 'hazardous_situation', type: 'text', nullable: true })
  hazardousSituation: string | null;

  @Column({ type: 'text', nullable: true })
  harm: string | null;

  /** S1…Sn (impact, in the security register). */
  @Column('text')
  severity: string;

  /** P1…Pn (likelihood, in the security register); from p1 × p2 when those are given. */
  @Column('text')
  probability: string;

  /** Chance the hazardous situation occurs (a probability level). */
  @Column({ type: 'text', nullable: true })
  p1: string | null;

  /** Chance the hazardous situation leads to harm (a probability level). */
  @Column({ type: 'text', nullable: true })
  p2: string | null;

  @Column({ type: 'enum', enum: RISK_LEVELS, enumName: 'risk_level' })
  level: RiskLevel;

  @Column({ name: 'residual_severity', type: 'text', nullable: true })
  residualSeverity: string | null;

  @Column({ name: 'residual_probability', type: 'text', nullable: true })
  residualProbability: string | null;

  @Column({ name: 'residual_level', type: 'enum', enum: RISK_LEVELS, enumName: 'risk_level', nullable: true })
  residualLevel: RiskLevel | null;

  /** Why the benefits outweigh a residual risk that is not acceptable (ISO 14971 7.4). */
  @Column({ name: 'benefit_risk', type: 'text', nullable: true })
  benefitRisk: string | null;

  @Index('IDX_risks_status')
  @Column({ type: 'enum', enum: RISK_STATUSES, enumName: 'risk_status', default: 'open' })
  status: RiskStatus;

  /** Security register: how the risk is treated. */
  @Column({ type: 'enum', enum: RISK_TREATMENTS, enumName: 'risk_treatment', nullable: true })
  treatment: RiskTreatment | null;

  /** Security register: when the treatment is due (a calendar day). */
  @Column({ name: 'due_on', type: 'date', nullable: true })
  dueOn: string | null;

  /** The risk owner (identity module's user id). */
  @Index('IDX_risks_owner_user')
  @Column({ name: 'owner_user_id', type: 'uuid' })
  ownerUserId: string;

  @Column({ type: 'integer' })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
