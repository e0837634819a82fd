import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { KeyKind, KeyNoticeKind, RotationSource } from './domain/key-model';

/**
 * A named secret in the register (issue 18): what it is for, who answers for it and how often it rotates.
 * Never its value. `lastRotatedAt` is the newest rotation recorded (key_rotations holds them all).
 */
@Entity('keys')
@Index('UQ_keys_name', ['name'], { unique: true })
@Index('IDX_keys_department', ['department'])
@Check('CHK_keys_interval_days', `"interval_days" IS NULL OR "interval_days" BETWEEN 1 AND 366`)
export class Key {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_keys' })
  id: string;

  /** A slug naming the secret, e.g. `stripe-live-api-key`. */
  @Column('text')
  name: string;

  /** The system the secret opens, e.g. `Stripe`, `Supabase (production)`. */
  @Column('text')
  system: string;

  @Column({ type: 'enum', enum: ['third_party', 'service_role'], enumName: 'key_kind' })
  kind: KeyKind;

  /** Its own rotation interval; null: the kind's default from controls/release-gates.yaml. */
  @Column({ name: 'interval_days', type: 'integer', nullable: true })
  intervalDays: number | null;

  @Column({ name: 'owner_user_id', type: 'uuid' })
  ownerUserId: string;

  /** The department key whose control owners manage the key. */
  @Column('text')
  department: string;

  @Column({ name: 'last_rotated_at', type: 'timestamptz', nullable: true })
  lastRotatedAt: Date | null;

  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** One rotation of a key: recorded by CI with an API token, or attested by an owner (append-only). */
@Entity('key_rotations')
@Index('IDX_key_rotations_key', ['keyId', 'rotatedAt'])
export class KeyRotation {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_key_rotations' })
  id: string;

  @ManyToOne(() => Key, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'key_id', foreignKeyConstraintName: 'FK_key_rotations_key' })
  key?: Key;

  @Column({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @Column({ name: 'rotated_at', type: 'timestamptz' })
  rotatedAt: Date;

  @Column({ type: 'enum', enum: ['ci', 'owner_attestation'], enumName: 'key_rotation_source' })
  source: RotationSource;

  @Column({ name: 'actor_user_id', type: 'uuid' })
  actorUserId: string;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  /** Where the rotation can be checked: a CI run, a ticket, a secrets-manager version. */
  @Column({ type: 'text', nullable: true })
  evidence: string | null;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}

/** A reminder or escalation sent about a key's due moment: one row per key, kind and due moment. */
@Entity('key_notices')
@Index('UQ_key_notices_key_kind_due', ['keyId', 'kind', 'dueAt'], { unique: true })
@Check('CHK_key_notices_kind', `"kind" IN ('reminder', 'escalation')`)
export class KeyNotice {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_key_notices' })
  id: string;

  @ManyToOne(() => Key, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'key_id', foreignKeyConstraintName: 'FK_key_notices_key' })
  key?: Key;

  @Column({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @Column('text')
  kind: KeyNoticeKind;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @CreateDateColumn({ name: 'sent_at', type: 'timestamptz' })
  sentAt: Date;
}
