import { Injectable } from '@nestjs/common';
import type { AppAbility } from '../authz/ability.factory';
import { asSubject } from '../authz/subject';
import { formatLocalTime } from '../common/time/calendar';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import { reviewDueAt, reviewState } from './domain/document-review';
import { DocumentsRepository } from './documents.repository';

/** A published document whose review day has passed without a new publication. */
export interface OverdueReview {
  key: string;
  title: string;
  ownerDepartment: string;
  ownerUserId: string;
  nextReviewOn: string;
  /** 23:59 in the compliance time zone on the review day. */
  dueAt: string;
  /** The controls it supports (catalog keys). */
  controls: string[];
}

/**
 * Review cadence of controlled documents (issue 17): publishing a version sets the next review day (effective
 * day + cadence). From 30 days before it the owner is asked to review the document; once the day has passed,
 * the owner is told it is overdue and each compliance manager gets an escalation. Each notice once per review
 * day (the dedupe key holds it), through the notification outbox. A new publication (a non-material version
 * for a review without change) sets the next review day.
 */
@Injectable()
export class DocumentReviewsService {
  constructor(
    private readonly repo: DocumentsRepository,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Published documents whose review is overdue at `now`, by key: all of them, or with `ability` only those the
   * caller may read (the posture page shows each person what they may know of).
   */
  async overdue(now = new Date(), ability?: AppAbility): Promise<OverdueReview[]> {
    const docs = (await this.repo.publishedDocuments()).filter(
      (d) =>
        d.nextReviewOn !== null &&
        reviewState(d.nextReviewOn, now) === 'overdue' &&
        (!ability || ability.can('read', asSubject('Document', d))),
    );
    const controls = await this.repo.controlsOf(docs.map((d) => d.id));
    return docs.map((d) => ({
      key: d.key,
      title: d.title,
      ownerDepartment: d.ownerDepartment,
      ownerUserId: d.ownerUserId,
      nextReviewOn: d.nextReviewOn!,
      dueAt: reviewDueAt(d.nextReviewOn!).toISOString(),
      controls: controls.get(d.id) ?? [],
    }));
  }

  /**
   * The review tasks and overdue notices due at `now`, each once per document and review day: the owner's
   * review task from 30 days before the review day; once overdue, a notice to the owner and an escalation to
   * each compliance manager. An owner no longer active is not written to (the escalation still goes). Counts
   * those created.
   */
  async remind(now = new Date()): Promise<{ reviews: number; overdue: number; escalations: number }> {
    const sent = { reviews: 0, overdue: 0, escalations: 0 };
    let managers: string[] | null = null;
    for (const d of await this.repo.publishedDocuments()) {
      if (!d.nextReviewOn) continue;
      const state = reviewState(d.nextReviewOn, now);
      if (state === 'scheduled') continue;
      const due = formatLocalTime(reviewDueAt(d.nextReviewOn));
      const what = `${d.key} "${d.title.replace(/\s+/g, ' ').trim()}"`;
      const link = `/documents/${encodeURIComponent(d.key)}`;
      const ownerActive = (await this.users.findActive(d.ownerUserId)) !== null;
      const key = `document-review:${d.id}`;
      if (state === 'due_soon') {
        if (
          ownerActive &&
          (await this.notifications.enqueue({
            recipientUserId: d.ownerUserId,
            kind: 'document.review_due',
            dedupeKey: `${key}:due:${d.nextReviewOn}`,
            subject: `Review ${what} by ${due}`.slice(0, 200),
            body:
              `${what} is due for its review by ${due}. Review it and publish a new version ` +
              `(not material when nothing people must re-read changed); that sets the next review day.`,
            link,
          }))
        )
          sent.reviews++;
        continue;
      }
      if (
        ownerActive &&
        (await this.notifications.enqueue({
          recipientUserId: d.ownerUserId,
          kind: 'document.review_overdue',
          dedupeKey: `${key}:overdue:${d.nextReviewOn}`,
          subject: `Overdue: review of ${what} (was due ${due})`.slice(0, 200),
          body: `The review of ${what} was due by ${due}. Please review it and publish a new version now.`,
          link,
        }))
      )
        sent.overdue++;
      managers ??= await this.users.activeUserIds({ role: 'compliance_manager' });
      for (const managerId of managers)
        if (
          await this.notifications.enqueue({
            recipientUserId: managerId,
            kind: 'document.review_escalation',
            dedupeKey: `${key}:escalate:${d.nextReviewOn}:${managerId}`,
            subject: `Overdue document review: ${d.key} (due ${due})`.slice(0, 200),
            body: `The review of ${what}, owned by ${d.ownerDepartment}, was due by ${due} and has not been done.`,
            link,
          })
        )
          sent.escalations++;
    }
    return sent;
  }
}
