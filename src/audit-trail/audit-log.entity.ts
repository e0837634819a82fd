import { Check, Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';

/** bigint comes back from pg as a string; seqs stay far below 2^53. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * One entry of the audit trail (append-only; triggers refuse UPDATE, DELETE and TRUNCATE).
 * `canonical` is the RFC 8785 JSON of {seq, at, actor, action, subjectType, subjectId, data}: the exact
 * text that was hashed, and the only source of `data`. The other columns repeat parts of it for filtering;
 * verification checks they agree. `hash` = hex SHA-256(prev_hash as 32 bytes ‖ canonical as UTF-8).
 */
@Entity('audit_log')
@Index('IDX_audit_log_actor_seq', ['actor', 'seq'])
@Index('IDX_audit_log_action_seq', ['action', 'seq'])
@Index('IDX_audit_log_subject_seq', ['subjectType', 'subjectId', 'seq'])
@Index('IDX_audit_log_at', ['at'])
@Check('CHK_audit_log_seq', '"seq" > 0')
export class AuditLog {
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_audit_log', transformer: bigintAsNumber })
  seq: number;

  @Column({ type: 'timestamptz' })
  at: Date;

  /** Pseudonymous: `user:<uuid>`, `system:<name>` or `anonymous` (see actorRef). */
  @Column('text')
  actor: string;

  /** What happened, `<area>.<verb>` (e.g. `auth.login`, `user.create`). */
  @Column('text')
  action: string;

  @Column({ name: 'subject_type', type: 'text' })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'text', nullable: true })
  subjectId: string | null;

  @Column('text')
  canonical: string;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash: string;

  @Column('text')
  hash: string;
}
