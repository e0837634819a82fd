import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { toJsonObject, type JsonObject } from '../audit-trail/domain/audit-entry';
import { CatalogService } from '../catalog/catalog.service';
import type { LiveControl } from '../catalog/domain/control-refs';
import { NotFoundError } from '../common/errors/app-error';
import { formatLocalTime, isoWeek, parseWeek, weekMonday } from '../common/time/calendar';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EvidenceService } from '../evidence/evidence.service';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import { CollectorRun, CollectorsService } from './collectors.service';
import { isDueInWeek } from './domain/cadence';
import { fairDueAt } from './domain/due-date';
import type { Sweep } from './sweep.entity';
import { SweepPostureService } from './sweep-posture.service';
import { nominalDueAt, periodOf, weekOrError } from './sweep-weeks';
import { SweepsRepository } from './sweeps.repository';

export interface OpenResult {
  week: string;
  created: boolean;
  tasks: number;
  collectors?: CollectorRun[];
}

/** Opening a week's sweep (collectors, tasks, the owners told) and closing it with its summary as evidence. */
@Injectable()
export class SweepLifecycleService {
  private readonly log = new Logger('Sweeps');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: SweepsRepository,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceService,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
    private readonly collectors: CollectorsService,
    private readonly posture: SweepPostureService,
    private readonly trail: AuditTrailService,
  ) {}

  /**
   * Opens the sweep of an ISO week exactly once: under a lock on the week and a unique key, in one
   * transaction (a crash leaves nothing and the next run opens it). Earlier open sweeps whose due time
   * has passed are closed first (one opened late, still running, stays open); collectors run; one task
   * per control due this week goes to its owner, who is notified. Tasks are due at the nominal time, or
   * — when the sweep opens less than one working day before it — at the fair due time of `fairDueAt`.
   */
  async openWeek(week: string, actor: string, now = new Date()): Promise<OpenResult> {
    const w = weekOrError(week);
    const earlier = await this.ds.transaction((m) => this.repo.openBefore(week, m));
    for (const e of earlier.filter((s) => s.dueAt.getTime() <= now.getTime())) await this.closeWeek(e.week, actor, now);
    return this.ds.transaction(async (m) => {
      await this.repo.lockWeek(week, m);
      const existing = await this.repo.findByWeek(week, m);
      if (existing) return { week, created: false, tasks: await this.repo.countTasks(existing.id, m) };

      const nominal = nominalDueAt(week, this.config);
      const { dueAt, openedLate } = fairDueAt(nominal, now, this.config.timeZone);
      const sweep = await this.repo.insertSweep({ week, openedAt: now, openedBy: actor, dueAt }, m);
      const controls = await this.catalog.liveControls();
      const collectorRuns = await this.runCollectors(week, controls, actor, now, m);

      const due = controls.filter((c) => isDueInWeek(c.cadence, w));
      await this.insertTasks(sweep.id, due, dueAt, m);
      await this.notifyOwners(week, due, dueAt, m);
      await this.trail.append(
        {
          actor,
          action: 'sweep.open',
          subjectType: 'Sweep',
          subjectId: sweep.id,
          data: {
            week,
            tasks: due.length,
            dueAt: dueAt.toISOString(),
            nominalDueAt: nominal.toISOString(),
            openedLate,
            collectors: collectorRuns.map((r) => r.collector),
          },
        },
        m,
      );
      this.log.log(
        `sweep ${week} opened: ${due.length} tasks due ${dueAt.toISOString()}${openedLate ? ` (opened late; nominally ${nominal.toISOString()})` : ''}, ${collectorRuns.length} collector snapshots`,
      );
      return { week, created: true, tasks: due.length, collectors: collectorRuns };
    });
  }

  /** The collectors' snapshots at opening, with last week's summary and the posture now. */
  private async runCollectors(
    week: string,
    controls: LiveControl[],
    actor: string,
    now: Date,
    m: EntityManager,
  ): Promise<CollectorRun[]> {
    const previous = await this.previousSummary(week, now, m);
    return this.collectors.runAll(
      controls,
      {
        week,
        ...periodOf(week),
        now,
        previousSummary: previous,
        posture: async () => toJsonObject(await this.posture.posture(now)),
      },
      actor,
      m,
    );
  }

  /** One open task per control due, for its owner. */
  private async insertTasks(sweepId: string, due: LiveControl[], dueAt: Date, m: EntityManager): Promise<void> {
    await this.repo.insertTasks(
      due.map((c) => ({
        sweepId,
        controlId: c.id,
        controlKey: c.key,
        controlTitle: c.title,
        ownerUserId: c.ownerUserId,
        ownerDepartment: c.ownerDepartment,
        status: 'open' as const,
        dueAt,
        evidenceIds: [],
      })),
      m,
    );
  }

  /** One "your sweep is open" notification per person: the assigned owner, else the department's members. */
  private async notifyOwners(
    week: string,
    due: { ownerUserId: string | null; ownerDepartment: string }[],
    dueAt: Date,
    m: EntityManager,
  ): Promise<void> {
    const counts = new Map<string, number>();
    for (const c of due) {
      const people = c.ownerUserId
        ? [c.ownerUserId]
        : await this.users.activeUserIds({ departmentKey: c.ownerDepartment });
      for (const p of people) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    for (const [userId, n] of counts) {
      await this.notifications.enqueue(
        {
          recipientUserId: userId,
          kind: 'sweep.open',
          dedupeKey: `sweep:${week}:open:${userId}`,
          subject: `Evidence sweep ${week}: ${n} task(s) for you`,
          body: `The evidence sweep for ${week} is open. ${n} control(s) need evidence, an attestation or an exception by ${formatLocalTime(dueAt, this.config.timeZone)}.`,
          link: `/sweep`,
        },
        m,
      );
    }
  }

  private async previousSummary(week: string, now: Date, m: EntityManager): Promise<JsonObject | null> {
    const monday = weekMonday(parseWeek(week));
    const previous = await this.repo.findByWeek(
      isoWeek(new Date(Date.UTC(monday.year, monday.month - 1, monday.day - 7, 12)), 'UTC'),
      m,
    );
    return previous ? this.summaryOf(previous, previous.closedAt ?? now, m) : null;
  }

  private async summaryOf(sweep: Sweep, asOf: Date, m?: EntityManager): Promise<JsonObject> {
    const rows = await this.repo.progress(sweep.id, asOf, m);
    const total = (status?: string) =>
      rows.filter((r) => !status || r.status === status).reduce((n, r) => n + r.count, 0);
    const byDepartment: Record<string, Record<string, number>> = {};
    for (const r of rows) {
      const d = (byDepartment[r.ownerDepartment] ??= { open: 0, completed: 0, attested: 0, exception: 0 });
      d[r.status] += r.count;
    }
    return {
      week: sweep.week,
      tasks: total(),
      completed: total('completed'),
      attested: total('attested'),
      exceptions: total('exception'),
      // Open tasks past the due time each had (a sweep opened late has a later one), at closing.
      overdue: rows.reduce((n, r) => n + r.overdue, 0),
      byDepartment,
    };
  }

  /** Closes a week: stores its summary as evidence on the sweep-summary controls. Idempotent. */
  async closeWeek(
    week: string,
    actor: string,
    now = new Date(),
  ): Promise<{ week: string; closed: boolean; summary: JsonObject | null }> {
    weekOrError(week);
    return this.ds.transaction(async (m) => {
      await this.repo.lockWeek(week, m);
      const sweep = await this.repo.findByWeek(week, m);
      if (!sweep) throw new NotFoundError('sweep', week);
      if (sweep.status === 'closed')
        return { week, closed: false, summary: await this.summaryOf(sweep, sweep.closedAt ?? now, m) };
      const summary = await this.summaryOf(sweep, now, m);
      const targets = (await this.catalog.liveControls()).filter((c) => c.collector === 'sweep-summary');
      const evidence = targets.length
        ? await this.evidence.recordSnapshot(
            {
              actor,
              title: `Sweep summary, ${week}`,
              controlIds: targets.map((c) => c.id),
              data: summary,
              source: 'collector:sweep-summary',
              evidenceDate: now,
              ...periodOf(week),
            },
            m,
          )
        : null;
      await this.repo.closeSweep(sweep.id, now, evidence?.id ?? null, m);
      await this.trail.append(
        {
          actor,
          action: 'sweep.close',
          subjectType: 'Sweep',
          subjectId: sweep.id,
          data: { week, summaryEvidenceId: evidence?.id ?? null },
        },
        m,
      );
      return { week, closed: true, summary };
    });
  }
}
