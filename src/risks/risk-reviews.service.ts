import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { ForbiddenError, NotFoundError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import { previousQuarter, quarterOf, type Quarter } from './domain/quarter';
import type { RiskRegister } from './domain/risk-model';
import { CreateRiskReviewDto, RiskReviewQueryDto, RiskReviewView } from './dto/risk.dto';
import { RiskRecords } from './risk-records';
import { EXPORT_LIMIT, reviewView, riskView } from './risk-views';
import { RisksRepository } from './risks.repository';
import { dayOf } from '../common/time/days';
import type { RiskReviewSnapshot } from './risk-review.entity';

/**
 * Whether the actor may record a quarterly review of a register (its notes and a snapshot): the same rule
 * as adding risks to it. Compliance managers and admins review both registers; privacy officers and
 * clinical control owners the ISO 14971 register where they hold risks, never the security register.
 */
export function mayReviewRegister(actor: UserActor, register: RiskRegister): boolean {
  return abilityFor(actor).can('create', asSubject('Risk', { register, ownerUserId: actor.id }));
}

/** The quarterly reviews of the registers: recording one, listing them, the review task, and the collector's evidence. */
@Injectable()
export class RiskReviewsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: RisksRepository,
    private readonly records: RiskRecords,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * The quarterly review: the reviewer's notes and the register frozen as the reviewer sees it (every risk with
   * its controls) plus the whole register's counts by status and level; one audit-trail entry, same transaction.
   */
  async review(actor: UserActor, dto: CreateRiskReviewDto): Promise<RiskReviewView> {
    const register = dto.register ?? 'iso14971';
    if (!mayReviewRegister(actor, register)) {
      // A register the actor cannot read is not there for them (404); one they read but may not review, 403.
      if (!abilityFor(actor).can('read', asSubject('Risk', { register, ownerUserId: actor.id })))
        throw new NotFoundError('risk_register', register);
      throw new ForbiddenError(`You may not review the ${register} register.`, 'risk.review_forbidden');
    }
    const states = await this.repo.listVisible(abilityFor(actor), { register }, { limit: EXPORT_LIMIT, offset: 0 });
    const rows = states.rows;
    const controls = await this.records.controlsFor(states);
    const summary = await this.repo.registerSummary(register);
    const snapshot = {
      register,
      risks: rows.map((r) => riskView(r, controls.get(r.id) ?? [])),
      summary,
    } satisfies RiskReviewSnapshot;
    const review = await this.ds.transaction(async (m) => {
      const saved = await this.repo.insertReview(
        { register, reviewerUserId: actor.id, reviewedAt: new Date(), notes: dto.notes, snapshot },
        m,
      );
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'risk.review',
          subjectType: 'RiskReview',
          subjectId: saved.id,
          data: { register, risks: rows.length },
        },
        m,
      );
      return saved;
    });
    return reviewView(review);
  }

  /**
   * The quarterly review task of the ISO 14971 register (run by the risk-review job; idempotent): tells each
   * owner of a risk that is not closed and every active user of the clinical department that this quarter's
   * review is due (unless one was already completed this quarter), and that last quarter's is overdue when
   * none was completed in it. Each notification once per quarter and person (dedupe keys); one audit-trail
   * entry when anything was raised, in the same transaction. Quarters by the Bangkok calendar.
   */
  async raiseQuarterlyReview(
    now: Date = new Date(),
    actor = 'system:job:risk-review',
  ): Promise<{ quarter: string; due: number; overdue: number }> {
    const register = 'iso14971' as const;
    const quarter = quarterOf(now);
    const previous = previousQuarter(quarter);
    const recipients = await this.reviewRecipients(register);
    const doneThisQuarter = (await this.repo.reviewsBetween(register, quarter.start, quarter.end)) > 0;
    const overdue = (await this.repo.reviewsBetween(register, previous.start, previous.end)) === 0;
    return this.ds.transaction(async (m) => {
      const counts = await this.notifyReviewers(recipients, { quarter, previous, due: !doneThisQuarter, overdue }, m);
      if (counts.due + counts.overdue > 0) {
        await this.trail.append(
          {
            actor,
            action: 'risk.review_task',
            subjectType: 'RiskReview',
            subjectId: null,
            data: {
              register,
              quarter: quarter.key,
              due: counts.due,
              overdue: counts.overdue,
              overdueQuarter: overdue ? previous.key : null,
            },
          },
          m,
        );
      }
      return { quarter: quarter.key, ...counts };
    });
  }

  /** A register's quarterly reviews the actor may read (an auditor: completed within their period), newest first. */
  async reviews(actor: UserActor, query: RiskReviewQueryDto): Promise<Page<RiskReviewView>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listReviews(abilityFor(actor), query.register ?? 'iso14971', page);
    return { items: rows.map(reviewView), total, ...page };
  }

  /** For the `risk-review` collector: the latest review of each register (with its frozen snapshot) and the registers' counts now. */
  async reviewEvidence(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const register of ['iso14971', 'security'] as const) {
      const latest = await this.repo.latestReview(register);
      out[register] = {
        latestReview: latest ? { ...reviewView(latest), snapshot: latest.snapshot } : null,
        summary: await this.repo.registerSummary(register),
      };
    }
    return out;
  }

  /** Active owners of the register's risks that are not closed, and every active user of the clinical department. */
  private async reviewRecipients(register: RiskRegister): Promise<string[]> {
    const owners = [];
    for (const id of await this.repo.ownersOfOpenRisks(register)) if (await this.users.findActive(id)) owners.push(id);
    return [...new Set([...owners, ...(await this.users.activeUserIds({ departmentKey: 'clinical' }))])].sort();
  }

  /** The due and overdue notifications, each once per quarter and person; counts those newly raised. */
  private async notifyReviewers(
    recipients: string[],
    task: { quarter: Quarter; previous: Quarter; due: boolean; overdue: boolean },
    m: EntityManager,
  ): Promise<{ due: number; overdue: number }> {
    const { quarter, previous } = task;
    const register = 'iso14971';
    const lastDay = dayOf(new Date(quarter.end.getTime() - 1));
    const counts = { due: 0, overdue: 0 };
    for (const userId of recipients) {
      if (task.due) {
        const created = await this.notifications.enqueue(
          {
            recipientUserId: userId,
            kind: 'risk.review_due',
            dedupeKey: `risk-review:${register}:${quarter.key}:due:${userId}`,
            subject: `Quarterly ISO 14971 risk review ${quarter.key} is due`,
            body: `Review every hazard of the ISO 14971 register — hazardous situation, severity and probability, risk controls and their verification, residual risk — add hazards from new features, and complete the review on the Risks page by ${lastDay}.`,
            link: '/risks?register=iso14971#reviews',
          },
          m,
        );
        if (created) counts.due++;
      }
      if (task.overdue) {
        const created = await this.notifications.enqueue(
          {
            recipientUserId: userId,
            kind: 'risk.review_overdue',
            dedupeKey: `risk-review:${register}:${previous.key}:overdue:${userId}`,
            subject: `Overdue: no ISO 14971 risk review was completed in ${previous.key}`,
            body: `No quarterly review of the ISO 14971 risk register was recorded in ${previous.key}. Complete one on the Risks page; it is the evidence for the risk review controls.`,
            link: '/risks?register=iso14971#reviews',
          },
          m,
        );
        if (created) counts.overdue++;
      }
    }
    return counts;
  }
}
