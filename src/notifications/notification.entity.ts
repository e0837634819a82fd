import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const EMAIL_STATUSES = ['not_needed', 'pending', 'sent', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/**
 * The outbox: one row per notification ever raised, shown in the app and, when SMTP is configured,
 * e-mailed. `dedupe_key` is unique, so raising the same notification twice (a reminder job re-run, two
 * instances racing) stores one row and sends one mail. Rows are kept; reading one sets `read_at`.
 */
@Entity('notifications')
@Index('IDX_notifications_recipient_created', ['recipientUserId', 'createdAt'])
@Index('IDX_notifications_email_due', ['emailStatus', 'emailNextAttemptAt'])
@Check('CHK_notifications_email_attempts', '"email_attempts" >= 0')
export class Notification {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_notifications' })
  id: string;

  /** The user it is for (identity module's user id). */
  @Column({ name: 'recipient_user_id', type: 'uuid' })
  recipientUserId: string;

  /** What happened, e.g. `sweep.reminder`, `sweep.due_today`, `sweep.escalation`. */
  @Column('text')
  kind: string;

  @Index('UQ_notifications_dedupe_key', { unique: true })
  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey: string;

  @Column('text')
  subject: string;

  /** Plain text, never secrets. */
  @Column('text')
  body: string;

  /** A path in the app. */
  @Column({ type: 'text', nullable: true })
  link: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt: Date | null;

  /** `not_needed` when SMTP is not configured (in-app only) or the recipient cannot receive mail. */
  @Column({ name: 'email_status', type: 'enum', enum: EMAIL_STATUSES, enumName: 'notification_email_status' })
  emailStatus: EmailStatus;

  @Column({ name: 'email_attempts', type: 'smallint', default: 0 })
  emailAttempts: number;

  /** When a pending e-mail is next tried (null once it is no longer pending). */
  @Column({ name: 'email_next_attempt_at', type: 'timestamptz', nullable: true })
  emailNextAttemptAt: Date | null;

  /** The last failure: SMTP code and message, addresses masked. */
  @Column({ name: 'email_last_error', type: 'text', nullable: true })
  emailLastError: string | null;

  @Column({ name: 'email_sent_at', type: 'timestamptz', nullable: true })
  emailSentAt: Date | null;
}
