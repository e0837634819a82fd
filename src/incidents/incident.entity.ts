import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { AdverseEventCategory } from './domain/incident-policy';
import { INCIDENT_STATUSES, type IncidentCategory, type IncidentStatus } from './domain/incident-model';

/** The post-incident review (cause, what went well, what to change), written once before a SEV1/SEV2 closes. */
export interface IncidentReview {
  cause: string;
  wentWell: string;
  toChange: string;
  by: string;
  at: string;
}

/**
 * An incident: security, availability, personal-data breach, clinical safety (adverse event) or other,
 * with its severity, lifecycle and the facts its clocks run from. Subject-level personal data never
 * appears here: counts and categories only (in the breach assessment).
 */
@Entity('incidents')
export class Incident {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_incidents' })
  id: string;

  /**
   * INC-0001, INC-0002, … in order of reporting, without gaps: allocated as max + 1 in the reporting
   * transaction under a lock (IncidentsRepository.insertOnce), never from a sequence.
   */
  @Index('UQ_incidents_number', { unique: true })
  @Column('integer')
  number: number;

  /** The alerting system's own key: a retried alert finds the incident it created. */
  @Index('UQ_incidents_external_key', { unique: true })
  @Column({ name: 'external_key', type: 'text', nullable: true })
  externalKey: string | null;

  /** `form` (a person reported it) or `api` (monitoring, with an API token). */
  @Column('text')
  source: 'form' | 'api';

  @Column('text')
  title: string;

  @Column('text')
  description: string;

  @Index('IDX_incidents_status')
  @Column({ type: 'enum', enum: INCIDENT_STATUSES, enumName: 'incident_status' })
  status: IncidentStatus;

  /** The current severity (SEV1…); every change is in incident_severity_changes. */
  @Column('text')
  severity: string;

  @Column({ type: 'text', array: true })
  categories: IncidentCategory[];

  /** Kept with the categories: the PDPA clocks run, and the privacy officer owns the assessment. */
  @Column({ name: 'personal_data', type: 'boolean' })
  personalData: boolean;

  /** Kept with the categories: the Thai FDA clocks run, and clinical owners own the reports. */
  @Column({ name: 'clinical_safety', type: 'boolean' })
  clinicalSafety: boolean;

  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt: Date;

  /** When the company became aware: the legal clocks' start. */
  @Index('IDX_incidents_aware_at')
  @Column({ name: 'aware_at', type: 'timestamptz' })
  awareAt: Date;

  @Index('IDX_incidents_reporter')
  @Column({ name: 'reporter_user_id', type: 'uuid' })
  reporterUserId: string;

  /** The reporter's role when they reported (what an auditor sees instead of who). */
  @Column({ name: 'reporter_role', type: 'text' })
  reporterRole: string;

  @Index('IDX_incidents_commander')
  @Column({ name: 'commander_user_id', type: 'uuid', nullable: true })
  commanderUserId: string | null;

  @Column({ name: 'affected_systems', type: 'text', array: true })
  affectedSystems: string[];

  @Column({ type: 'text', array: true })
  products: string[];

  @Column({ type: 'text', array: true })
  customers: string[];

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'first_user_update_at', type: 'timestamptz', nullable: true })
  firstUserUpdateAt: Date | null;

  /** The Thai FDA category of a clinical-safety incident: picks the initial report's clock. */
  @Column({ name: 'adverse_event_category', type: 'text', nullable: true })
  adverseEventCategory: AdverseEventCategory | null;

  @Column({ name: 'fsca_started_at', type: 'timestamptz', nullable: true })
  fscaStartedAt: Date | null;

  @Column({ name: 'fsca_closed_at', type: 'timestamptz', nullable: true })
  fscaClosedAt: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  review: IncidentReview | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** Bumped by every change; PATCH may send the version it saw (409 when it moved on). */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
