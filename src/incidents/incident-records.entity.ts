// The append-only records of an incident: severity changes, the timeline, breach assessments, notices
// sent outside, corrective/preventive actions and linked risks. Rows are never updated, except a CAPA's
// status and closing fields.
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Risk } from '../risks/risk.entity';
import { Incident } from './incident.entity';
import type { BreachAssessmentFacts } from './domain/breach';
import type { BreachDecision } from './domain/incident-clocks';
import { CAPA_STATUSES, type CapaStatus, type NoticeKind, type TimelineKind } from './domain/incident-model';

/** Each severity the incident held: the first is the one reported. Who and why for each change. */
@Entity('incident_severity_changes')
@Index('IDX_incident_severity_changes_incident', ['incidentId', 'at'])
export class IncidentSeverityChange {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_incident_severity_changes' })
  id: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId: string;

  @ManyToOne(() => Incident, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'FK_incident_severity_changes_incident' })
  incident?: Incident;

  @Column('text')
  severity: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  /** actorRef(): `user:<uuid>` or `system:<name>`. */
  @Column('text')
  actor: string;

  @Column({ type: 'text', nullable: true })
  reason: string | null;
}

@Entity('incident_timeline')
@Index('IDX_incident_timeline_incident', ['incidentId', 'at'])
export class IncidentTimelineEntry {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_incident_timeline' })
  id: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId: string;

  @ManyToOne(() => Incident, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'FK_incident_timeline_incident' })
  incident?: Incident;

  /** When it happened (may be before it was recorded). */
  @Column({ type: 'timestamptz' })
  at: Date;

  @Column('text')
  kind: TimelineKind;

  @Column('text')
  text: string;

  @Column('text')
  actor: string;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}

/** A breach assessment; a new one replaces the previous (both kept): the newest counts. */
@Entity('incident_breach_assessments')
@Index('IDX_incident_breach_assessments_incident', ['incidentId', 'decidedAt'])
export class IncidentBreachAssessment {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_incident_breach_assessments' })
  id: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId: string;

  @ManyToOne(() => Incident, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'FK_incident_breach_assessments_incident' })
  incident?: Incident;

  @Column('text')
  decision: BreachDecision;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt: Date;

  /** Everything else of the assessment (types, categories, counts, factors, reasons). */
  @Column('jsonb')
  facts: Omit<BreachAssessmentFacts, 'decision' | 'decidedAt'>;

  @Column('text')
  actor: string;
}

/** A notice or report sent outside (PDPC Office, data subjects, Thai FDA). */
@Entity('incident_notices')
@Index('IDX_incident_notices_incident', ['incidentId', 'sentAt'])
export class IncidentNotice {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_incident_notices' })
  id: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId: string;

  @ManyToOne(() => Incident, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'FK_incident_notices_incident' })
  incident?: Incident;

  @Column('text')
  kind: NoticeKind;

  @Column({ name: 'sent_at', type: 'timestamptz' })
  sentAt: Date;

  /** How it was sent (e-mail, the PDPC e-form, letter, SMS …). */
  @Column('text')
  channel: string;

  /** The regulator's reference number, or the message id. */
  @Column({ type: 'text', nullable: true })
  reference: string | null;

  /** How many data subjects were told (a count, never who). */
  @Column({ name: 'recipients_count', type: 'integer', nullable: true })
  recipientsCount: number | null;

  @Column({ name: 'late_reason', type: 'text', nullable: true })
  lateReason: string | null;

  @Column('text')
  actor: string;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}

/** A corrective or preventive action: open until done (with verification) or explicitly accepted. */
@Entity('incident_capas')
@Index('IDX_incident_capas_incident', ['incidentId'])
export class IncidentCapa {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_incident_capas' })
  id: string;

  @Column({ name: 'incident_id', type: 'uuid' })
  incidentId: string;

  @ManyToOne(() => Incident, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'FK_incident_capas_incident' })
  incident?: Incident;

  @Column('text')
  title: string;

  @Index('IDX_incident_capas_owner')
  @Column({ name: 'owner_user_id', type: 'uuid' })
  ownerUserId: string;

  @Column({ name: 'due_on', type: 'date' })
  dueOn: string;

  @Column({ type: 'enum', enum: CAPA_STATUSES, enumName: 'incident_capa_status', default: 'open' })
  status: CapaStatus;

  /** Done: the evidence item that verifies it. */
  @Column({ name: 'verification_evidence_id', type: 'uuid', nullable: true })
  verificationEvidenceId: string | null;

  /** Done: how it was verified; accepted: why it is accepted without being done. */
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'closed_by', type: 'text', nullable: true })
  closedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** The ISO 14971 (or security) risks an incident concerns: post-production information (clause 10). */
@Entity('incident_risks')
export class IncidentRisk {
  @PrimaryColumn({ name: 'incident_id', type: 'uuid', primaryKeyConstraintName: 'PK_incident_risks' })
  incidentId: string;

  @ManyToOne(() => Incident, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'FK_incident_risks_incident' })
  incident?: Incident;

  @PrimaryColumn({ name: 'risk_id', type: 'uuid', primaryKeyConstraintName: 'PK_incident_risks' })
  riskId: string;

  @ManyToOne(() => Risk, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'risk_id', foreignKeyConstraintName: 'FK_incident_risks_risk' })
  risk?: Risk;
}
