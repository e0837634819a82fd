import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { abilityFor } from '../authz/ability.factory';
import { asSubject } from '../authz/subject';
import { NotFoundError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { UserActor } from '../authz/actor';
import { UsersService } from '../identity/users.service';
import { describeDeliveryError, emailText } from './domain/email-message';
import { nextEmailAttemptAt } from './domain/email-retry';
import { assertValidNotification, NotificationInput } from './domain/notification-input';
import { NotificationQueryDto, NotificationView, notificationView } from './dto/notification.dto';
import type { Notification } from './notification.entity';
import { NotificationsRepository } from './notifications.repository';
import { SmtpMailer } from './smtp-mailer';

/** What one deliverPending() call did. */
export interface DeliveryReport {
  /** Accepted by the SMTP server. */
  sent: number;
  /** Failed this time; tried again later. */
  retrying: number;
  /** Failed for the last time. */
  failed: number;
  /** Not sent because the recipient is inactive or unknown. */
  skipped: number;
}

/** Most e-mails one deliverPending() call sends (the job runs every minute). */
export const DELIVERY_BATCH = 100;

/**
 * Notifications: raised by other modules through enqueue() (idempotent by dedupe key), read in the app,
 * and e-mailed when SMTP_URL is set. Each e-mail is claimed with FOR UPDATE SKIP LOCKED and the lock held
 * until the outcome is stored, so instances never send the same mail concurrently; it is marked sent only
 * after the server accepted it. A crash mid-send rolls the claim back and the row is delivered by the
 * next run (the mail may then go out twice: at least once, with the same Message-ID).
 */
@Injectable()
export class NotificationsService {
  private readonly log = new Logger('Notifications');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: NotificationsRepository,
    private readonly mailer: SmtpMailer,
    private readonly users: UsersService,
  ) {}

  /**
   * Idempotent by dedupeKey: returns true when this call created it, false when it existed. With
   * `manager`, the notification is stored in the caller's transaction (and vanishes if it rolls back).
   */
  async enqueue(input: NotificationInput, manager?: EntityManager): Promise<boolean> {
    assertValidNotification(input);
    const email = this.mailer.enabled;
    return this.repo.insertIfAbsent(
      {
        recipientUserId: input.recipientUserId,
        kind: input.kind,
        dedupeKey: input.dedupeKey,
        subject: input.subject,
        body: input.body,
        link: input.link ?? null,
        emailStatus: email ? 'pending' : 'not_needed',
        emailNextAttemptAt: email ? new Date() : null,
      },
      manager,
    );
  }

  /** My notifications, newest first; `unread` narrows to unread (true) or read (false) ones. */
  async list(actor: UserActor, query: NotificationQueryDto): Promise<Page<NotificationView>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listVisibleTo(abilityFor(actor), { ...page, unread: query.unread });
    return { items: rows.map(notificationView), total, ...page };
  }

  unreadCount(actor: UserActor): Promise<number> {
    return this.repo.countUnreadVisibleTo(abilityFor(actor));
  }

  /** Marks one of my notifications read (again: no change); someone else's is a 404. */
  async markRead(actor: UserActor, id: string): Promise<NotificationView> {
    const row = await this.repo.findById(id);
    if (!row || !abilityFor(actor).can('update', asSubject('Notification', row)))
      throw new NotFoundError('notification', id);
    if (!row.readAt) await this.repo.markRead(id, new Date());
    return notificationView((await this.repo.findById(id))!);
  }

  async markAllRead(actor: UserActor): Promise<{ marked: number }> {
    return { marked: await this.repo.markAllReadVisibleTo(abilityFor(actor), new Date()) };
  }

  /**
   * Sends the pending e-mails that are due at `now`, one per transaction, at most `limit`. A failure
   * schedules the next attempt (1 min, 5 min, 30 min, 2 h), then marks the e-mail failed. Safe to run
   * on several instances at once. Without SMTP_URL there is nothing to send.
   */
  async deliverPending(now: Date = new Date(), limit = DELIVERY_BATCH): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0, skipped: 0 };
    if (!this.mailer.enabled) return report;
    for (let i = 0; i < limit; i++) {
      const outcome = await this.ds.transaction(async (m) => {
        const row = await this.repo.claimNextDue(now, m);
        return row ? this.deliver(row, now, m) : null;
      });
      if (outcome === null) break;
      report[outcome]++;
    }
    if (report.sent + report.retrying + report.failed + report.skipped > 0) {
      this.log.log(
        `e-mail delivery: ${report.sent} sent, ${report.retrying} to retry, ${report.failed} failed, ${report.skipped} skipped`,
      );
    }
    return report;
  }

  /** One claimed row: send, then store the outcome in the claiming transaction. Never logs addresses or bodies. */
  private async deliver(row: Notification, now: Date, m: EntityManager): Promise<keyof DeliveryReport> {
    const recipient = await this.users.findActive(row.recipientUserId);
    if (!recipient) {
      await this.repo.recordDelivery(
        row.id,
        { emailStatus: 'not_needed', emailNextAttemptAt: null, emailLastError: 'the recipient is inactive or unknown' },
        m,
      );
      return 'skipped';
    }
    const attempts = row.emailAttempts + 1;
    try {
      await this.mailer.send({
        to: recipient.email,
        subject: row.subject,
        text: emailText(row.body, row.link, this.config.publicUrl),
        messageId: `<notification-${row.id}@attest>`,
      });
    } catch (e) {
      const error = describeDeliveryError(e);
      const next = nextEmailAttemptAt(attempts, now);
      if (next) {
        await this.repo.recordDelivery(
          row.id,
          { emailAttempts: attempts, emailNextAttemptAt: next, emailLastError: error },
          m,
        );
        this.log.warn(
          `notification ${row.id}: e-mail attempt ${attempts} failed, next at ${next.toISOString()}: ${error}`,
        );
        return 'retrying';
      }
      await this.repo.recordDelivery(
        row.id,
        { emailStatus: 'failed', emailAttempts: attempts, emailNextAttemptAt: null, emailLastError: error },
        m,
      );
      this.log.error(`notification ${row.id}: e-mail attempt ${attempts} failed, giving up: ${error}`);
      return 'failed';
    }
    await this.repo.recordDelivery(
      row.id,
      { emailStatus: 'sent', emailAttempts: attempts, emailNextAttemptAt: null, emailSentAt: now },
      m,
    );
    return 'sent';
  }
}
