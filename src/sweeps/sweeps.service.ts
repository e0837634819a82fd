import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import type { JsonObject } from '../audit-trail/domain/audit-entry';
import { abilityFor } from '../authz/ability.factory';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { EvidenceService } from '../evidence/evidence.service';
import { actorRef, type UserActor } from '../authz/actor';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import { CollectorRun, CollectorsService } from './collectors.service';
import { freshness, isDueInWeek, taskDueAt, type Freshness } from './domain/cadence';
import {
  addDays,
  formatDate,
  formatLocalTime,
  formatWeek,
  isoWeek,
  isoWeekOfDate,
  localDate,
  parseDate,
  parseWeek,
  weekMonday,
  zonedInstant,
} from '../common/time/calendar';
import { fairDueAt, taskTiming } from './domain/due-date';
import { frameworkPosture, FrameworkPosture, PostureControl } from './domain/posture';
import {
  CompleteTaskDto,
  ControlOutcomeView,
  SweepTaskView,
  sweepTaskView,
  SweepView,
  TaskListQueryDto,
} from './dto/sweep.dto';
import { SweepTask } from './sweep-task.entity';
import type { Sweep } from './sweep.entity';
import { SweepsRepository } from './sweeps.repository';

type DigestKind = 'sweep.reminder' | 'sweep.due_today' | 'sweep.overdue' | 'sweep.escalation';

/** The notifications about open tasks: one digest per person and kind, listing the tasks. */
const DIGESTS: Record<
  DigestKind,
  { key: string; subject: (n: number, week: string) => string; intro: (week: string, due: string) => string }
> = {
  'sweep.reminder': {
    key: 'reminder-2d',
    subject: (n, w) => `Due in 2 days: ${n} sweep task(s), ${w}`,
    intro: (w, due) => `These tasks of the evidence sweep ${w} are due ${due}:`,
  },
  'sweep.due_today': {
    key: 'due-today',
    subject: (n, w) => `Due today: ${n} sweep task(s), ${w}`,
    intro: (w, due) => `These tasks of the evidence sweep ${w} are due today, ${due}:`,
  },
  'sweep.overdue': {
    key: 'overdue',
    subject: (n, w) => `Overdue: ${n} sweep task(s), ${w}`,
    intro: (w, due) => `These tasks of the evidence sweep ${w} were due ${due} and are still open:`,
  },
  'sweep.escalation': {
    key: 'escalation',
    subject: (n, w) => `Overdue: ${n} sweep task(s) in ${w}`,
    intro: (w, due) =>
      `These tasks of the evidence sweep ${w} were due ${due} and are still open (control, owner, department):`,
  },
};
/** Notification bodies are at most 10,000 characters. */
const BODY_LIMIT = 9_000;

export interface OpenResult {
  week: string;
  created: boolean;
  tasks: number;
  collectors?: CollectorRun[];
}

/** A week string that parses, or a 400 naming the field (e.g. 2025-W53 does not exist). */
function weekOrError(week: string) {
  try {
    return parseWeek(week);
  } catch (e) {
    throw new ValidationError([{ field: 'week', message: (e as Error).message }]);
  }
}

@Injectable()
export class SweepsService {
  private readonly log = new Logger('Sweeps');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: SweepsRepository,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceService,
    private readonly evidenceQueries: EvidenceQueriesService,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
    private readonly collectors: CollectorsService,
    private readonly trail: AuditTrailService,
  ) {}

  /** The ISO week an instant falls in, in the sweep time zone. */
  weekOf(at: Date): string {
    return isoWeek(at, this.config.timeZone);
  }

  private periodOf(week: string): { periodStart: string; periodEnd: string } {
    const monday = weekMonday(parseWeek(week));
    return { periodStart: formatDate(monday), periodEnd: formatDate(addDays(monday, 6)) };
  }

  /** The nominal due time of a week's tasks (SWEEP_DUE in that week, TZ_COMPLIANCE). */
  nominalDueAt(week: string): Date {
    const { weekday, hour, minute } = this.config.sweepDue;
    return taskDueAt(parseWeek(week), weekday, hour, minute, this.config.timeZone);
  }

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

      const nominalDueAt = this.nominalDueAt(week);
      const { dueAt, openedLate } = fairDueAt(nominalDueAt, now, this.config.timeZone);
      const sweep = await this.repo.insertSweep({ week, openedAt: now, openedBy: actor, dueAt }, m);
      const controls = await this.catalog.liveControls();
      const previous = await this.previousSummary(week, now, m);
      const collectorRuns = await this.collectors.runAll(
        controls,
        {
          week,
          ...this.periodOf(week),
          now,
          previousSummary: previous,
          posture: async () => (await this.posture(now)) as unknown as JsonObject,
        },
        actor,
        m,
      );

      const due = controls.filter((c) => isDueInWeek(c.cadence, w));
      await this.repo.insertTasks(
        due.map((c) => ({
          sweepId: sweep.id,
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
            nominalDueAt: nominalDueAt.toISOString(),
            openedLate,
            collectors: collectorRuns.map((r) => r.collector),
          },
        },
        m,
      );
      this.log.log(
        `sweep ${week} opened: ${due.length} tasks due ${dueAt.toISOString()}${openedLate ? ` (opened late; nominally ${nominalDueAt.toISOString()})` : ''}, ${collectorRuns.length} collector snapshots`,
      );
      return { week, created: true, tasks: due.length, collectors: collectorRuns };
    });
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
              ...this.periodOf(week),
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

  /** This week's sweep when the actor may read it, else the newest one they may read (an auditor: within their period). */
  async current(actor: UserActor, now = new Date()): Promise<SweepView> {
    const ability = abilityFor(actor);
    const thisWeek = await this.repo.findByWeek(this.weekOf(now));
    const sweep =
      thisWeek && ability.can('read', asSubject('Sweep', thisWeek)) ? thisWeek : await this.repo.latestVisible(ability);
    if (!sweep) throw new NotFoundError('sweep');
    return this.view(actor, sweep, now);
  }

  async byWeek(actor: UserActor, week: string, now = new Date()): Promise<SweepView> {
    return this.view(actor, await this.readableSweep(actor, week), now);
  }

  /** A week's sweep the actor may read (an auditor: a week touching their period), else 404. */
  private async readableSweep(actor: UserActor, week: string): Promise<Sweep> {
    return readableOr404(abilityFor(actor), 'Sweep', await this.repo.findByWeek(week), { entity: 'sweep', id: week });
  }

  private async view(actor: UserActor, sweep: Sweep, now: Date): Promise<SweepView> {
    const ability = abilityFor(actor);
    // Counted over the tasks whose posture the actor may read (an auditor: the controls in scope).
    const rows = await this.repo.progress(sweep.id, sweep.closedAt ?? now, undefined, ability);
    const names = await this.users.namesByIds(rows.flatMap((r) => (r.ownerUserId ? [r.ownerUserId] : [])));
    const owners = new Map<
      string,
      { owner: string; department: string; open: number; overdue: number; done: number }
    >();
    for (const r of rows) {
      const key = `${r.ownerDepartment}|${r.ownerUserId ?? ''}`;
      const o = owners.get(key) ?? {
        owner: r.ownerUserId ? (names.get(r.ownerUserId) ?? r.ownerUserId) : `${r.ownerDepartment} (department)`,
        department: r.ownerDepartment,
        open: 0,
        overdue: 0,
        done: 0,
      };
      if (r.status === 'open') o.open += r.count;
      else o.done += r.count;
      o.overdue += r.overdue;
      owners.set(key, o);
    }
    const nominalDueAt = this.nominalDueAt(sweep.week);
    const total = rows.reduce((n, r) => n + r.count, 0);
    const done = rows.filter((r) => r.status !== 'open').reduce((n, r) => n + r.count, 0);
    return {
      week: sweep.week,
      status: sweep.status,
      openedAt: sweep.openedAt.toISOString(),
      dueAt: sweep.dueAt.toISOString(),
      nominalDueAt: nominalDueAt.toISOString(),
      openedLate: sweep.dueAt.getTime() !== nominalDueAt.getTime(),
      closedAt: sweep.closedAt?.toISOString() ?? null,
      summaryEvidenceId: sweep.summaryEvidenceId,
      tasks: total,
      done,
      overdue: rows.reduce((n, r) => n + r.overdue, 0),
      // Progress per owner only for those who may see every task (compliance managers, admins).
      byOwner: ability.can('update', 'Sweep')
        ? [...owners.values()].sort(
            (a, b) => a.department.localeCompare(b.department) || a.owner.localeCompare(b.owner),
          )
        : [],
    };
  }

  async tasks(actor: UserActor, week: string, query: TaskListQueryDto, now = new Date()): Promise<Page<SweepTaskView>> {
    const sweep = await this.readableSweep(actor, week);
    const page = pageOf(query);
    const { rows, total } = await this.repo.listTasks(abilityFor(actor), sweep.id, {
      ...page,
      status: query.status,
      mineFor: query.mine ? { userId: actor.id, departmentKey: actor.departmentKey } : undefined,
    });
    return { items: rows.map((t) => sweepTaskView(t, now)), total, ...page };
  }

  /**
   * "My sweep": this week's sweep (else the latest) and my tasks in it, and my open tasks of earlier
   * sweeps still open (one opened late stays open until its own due time has passed).
   */
  async mySweep(
    actor: UserActor,
    now = new Date(),
  ): Promise<{ sweep: SweepView | null; tasks: SweepTaskView[]; carriedOver: (SweepTaskView & { week: string })[] }> {
    const current = (await this.repo.findByWeek(this.weekOf(now))) ?? (await this.repo.latest());
    if (!current) return { sweep: null, tasks: [], carriedOver: [] };
    const mine = { mineFor: { userId: actor.id, departmentKey: actor.departmentKey }, offset: 0, limit: 500 };
    const ability = abilityFor(actor);
    const tasks = (await this.repo.listTasks(ability, current.id, mine)).rows.map((t) => sweepTaskView(t, now));
    const carriedOver: (SweepTaskView & { week: string })[] = [];
    for (const earlier of await this.repo.openBefore(current.week)) {
      for (const t of (await this.repo.listTasks(ability, earlier.id, { ...mine, status: 'open' })).rows)
        carriedOver.push({ ...sweepTaskView(t, now), week: earlier.week });
    }
    return { sweep: await this.view(actor, current, now), tasks, carriedOver };
  }

  /**
   * A control's sweep outcomes that are not uploaded evidence — exceptions and attestations — with who,
   * when, the sweep week and the reason or statement, newest first (for the control pages). Each stands
   * in for the control's evidence at the moment it was recorded, so the actor sees one only where they
   * may read the control's evidence of that date (an auditor: within an engagement's period and scope;
   * a viewer: none). `period` (Asia/Bangkok days) narrows to those completed within it.
   */
  async controlOutcomes(
    actor: UserActor,
    controlKey: string,
    period?: { from: string; to: string },
    limit = 20,
  ): Promise<ControlOutcomeView[]> {
    const ability = abilityFor(actor);
    const tz = this.config.timeZone;
    const rows = await this.repo.outcomesOfControl(controlKey, {
      completedFrom: period ? zonedInstant(parseDate(period.from), 0, 0, tz) : undefined,
      completedBefore: period ? zonedInstant(addDays(parseDate(period.to), 1), 0, 0, tz) : undefined,
      limit,
    });
    const visible = rows.filter(
      (t) =>
        t.completedAt &&
        ability.can('read', asSubject('Evidence', { controlIds: [t.controlId], evidenceDate: t.completedAt })),
    );
    const names = await this.users.namesByIds(visible.flatMap((t) => (t.completedBy ? [t.completedBy] : [])));
    return visible.map((t) => ({
      week: t.week,
      outcome: t.status as 'exception' | 'attested',
      note: t.note,
      completedAt: t.completedAt!.toISOString(),
      completedBy: t.completedBy ? (names.get(t.completedBy) ?? t.completedBy) : null,
      timing: taskTiming(t, t.completedAt!),
      evidenceIds: t.evidenceIds,
    }));
  }

  /** What the upload page needs to file evidence for a task the actor may complete (404/403/409 otherwise). */
  async taskForUpload(
    actor: UserActor,
    id: string,
    now = new Date(),
  ): Promise<{ controlKey: string; today: string; periodStart: string; periodEnd: string }> {
    const ability = abilityFor(actor);
    const task = await readableOr404(ability, 'SweepTask', await this.repo.findTask(id), { entity: 'sweep_task', id });
    if (!ability.can('update', asSubject('SweepTask', task)))
      throw new ForbiddenError('You may not complete this task.', 'sweep_task.forbidden');
    if (task.status !== 'open') throw new ConflictError('sweep_task.done', `This task is already ${task.status}.`);
    const sweep = (await this.repo.findById(task.sweepId))!;
    return {
      controlKey: task.controlKey,
      today: formatDate(localDate(now, this.config.timeZone)),
      ...this.periodOf(sweep.week),
    };
  }

  /** Completes a task with evidence already linked to its control, an attestation, or an exception. */
  async completeTask(actor: UserActor, id: string, dto: CompleteTaskDto, now = new Date()): Promise<SweepTaskView> {
    return this.ds.transaction(async (m) => {
      const ability = abilityFor(actor);
      const task = await readableOr404(ability, 'SweepTask', await this.repo.findTaskForUpdate(id, m), {
        entity: 'sweep_task',
        id,
      });
      if (!ability.can('update', asSubject('SweepTask', task)))
        throw new ForbiddenError('You may not complete this task.', 'sweep_task.forbidden');
      if (task.status !== 'open') throw new ConflictError('sweep_task.done', `This task is already ${task.status}.`);
      const sweep = (await this.repo.findById(task.sweepId, m))!;
      if (sweep.status === 'closed') throw new ConflictError('sweep.closed', `The sweep ${sweep.week} is closed.`);
      const period = this.periodOf(sweep.week);
      let values: Partial<SweepTask>;
      switch (dto.outcome) {
        case 'evidence': {
          const ids = dto.evidenceIds ?? [];
          if (ids.length === 0)
            throw new ValidationError([
              { field: 'evidenceIds', message: 'must list the evidence attached to this control' },
            ]);
          const linked = await this.evidenceQueries.linkedTo(task.controlId, ids);
          const missing = ids.filter((e) => !linked.includes(e));
          if (missing.length)
            throw new ValidationError([
              { field: 'evidenceIds', message: `not evidence of ${task.controlKey}: ${missing.join(', ')}` },
            ]);
          values = { status: 'completed', evidenceIds: ids, note: dto.note ?? null };
          break;
        }
        case 'attestation': {
          if (!dto.statement) throw new ValidationError([{ field: 'statement', message: 'is required to attest' }]);
          const { id: evidenceId } = await this.evidence.recordAttestation(
            { actor, controlIds: [task.controlId], statement: dto.statement, checklist: dto.checklist, ...period },
            m,
          );
          // The statement is the attestation's reason: kept on the task (shown on the control page) unless a note is given.
          values = { status: 'attested', evidenceIds: [evidenceId], note: dto.note ?? dto.statement };
          break;
        }
        case 'exception': {
          if (!dto.reason)
            throw new ValidationError([{ field: 'reason', message: 'is required to raise an exception' }]);
          values = { status: 'exception', note: dto.reason };
          break;
        }
      }
      await this.repo.updateTask(task.id, { ...values, completedAt: now, completedBy: actor.id }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: `sweep_task.${values.status as 'completed' | 'attested' | 'exception'}`,
          subjectType: 'SweepTask',
          subjectId: task.id,
          data: { control: task.controlKey, evidenceIds: values.evidenceIds ?? [] },
        },
        m,
      );
      return sweepTaskView((await this.repo.findTask(task.id, m))!);
    });
  }

  /**
   * Reminders two days before and on the due day, and, once a task is past its due time, an overdue
   * notice to its owners and an escalation to the compliance managers. Digests: each person gets one
   * notification per kind listing all their tasks in that state, not one per task. Each digest's dedupe
   * key names the sweep, its due time, the kind and the recipient, so running this again (another
   * instance, a restart, the next hour) sends nothing twice.
   */
  async remindAndEscalate(now = new Date()): Promise<{ reminders: number; escalations: number }> {
    const tz = this.config.timeZone;
    const today = formatDate(localDate(now, tz));
    const managers = await this.users.activeUserIds({ role: 'compliance_manager' });
    const digests = new Map<
      string,
      { recipient: string; kind: DigestKind; week: string; dueAt: Date; tasks: (SweepTask & { week: string })[] }
    >();
    const add = (recipient: string, kind: DigestKind, task: SweepTask & { week: string }) => {
      const key = `sweep:${task.week}:${task.dueAt.toISOString()}:${DIGESTS[kind].key}:${recipient}`;
      const d = digests.get(key) ?? { recipient, kind, week: task.week, dueAt: task.dueAt, tasks: [] };
      d.tasks.push(task);
      digests.set(key, d);
    };
    const departmentMembers = new Map<string, string[]>();
    for (const task of await this.repo.openTasks()) {
      const dueDay = formatDate(localDate(task.dueAt, tz));
      const twoDaysBefore = formatDate(addDays(parseDate(dueDay), -2));
      const people = task.ownerUserId
        ? [task.ownerUserId]
        : (departmentMembers.get(task.ownerDepartment) ??
          departmentMembers
            .set(task.ownerDepartment, await this.users.activeUserIds({ departmentKey: task.ownerDepartment }))
            .get(task.ownerDepartment)!);
      if (now >= task.dueAt) {
        for (const p of people) add(p, 'sweep.overdue', task);
        for (const p of managers) add(p, 'sweep.escalation', task);
      } else if (today >= dueDay) {
        for (const p of people) add(p, 'sweep.due_today', task);
      } else if (today >= twoDaysBefore) {
        for (const p of people) add(p, 'sweep.reminder', task);
      }
    }
    const owners = await this.users.namesByIds([
      ...new Set([...digests.values()].flatMap((d) => d.tasks.flatMap((t) => (t.ownerUserId ? [t.ownerUserId] : [])))),
    ]);
    let reminders = 0;
    let escalations = 0;
    for (const [dedupeKey, d] of digests) {
      const spec = DIGESTS[d.kind];
      const lines = d.tasks
        .sort((a, b) => a.ownerDepartment.localeCompare(b.ownerDepartment) || a.controlKey.localeCompare(b.controlKey))
        .map(
          (t) =>
            `- ${t.controlKey} ${t.controlTitle} — ${t.ownerUserId ? (owners.get(t.ownerUserId) ?? t.ownerUserId) : 'any member'} (${t.ownerDepartment})`,
        );
      const body = `${spec.intro(d.week, formatLocalTime(d.dueAt, tz))}\n\n${lines.join('\n')}`;
      const sent = await this.notifications.enqueue({
        recipientUserId: d.recipient,
        kind: d.kind,
        dedupeKey,
        subject: spec.subject(d.tasks.length, d.week),
        body: body.length > BODY_LIMIT ? `${body.slice(0, BODY_LIMIT - 40)}\n… and more: see the sweep pages.` : body,
        link: d.kind === 'sweep.escalation' ? '/sweeps' : '/sweep',
      });
      if (sent && d.kind === 'sweep.escalation') escalations++;
      else if (sent) reminders++;
    }
    return { reminders, escalations };
  }

  /** Freshness of every live control now, from its cadence and newest evidence. */
  async controlFreshness(now = new Date()): Promise<Map<string, PostureControl>> {
    const controls = await this.catalog.liveControls();
    const newest = await this.evidenceQueries.newestByControl(controls.map((c) => c.id));
    const tz = this.config.timeZone;
    return new Map(
      controls.map((c) => {
        const of = newest.get(c.id);
        const f: Freshness = freshness(c, of ? localDate(of, tz) : null, now, tz);
        return [
          c.id,
          { id: c.id, key: c.key, ownerDepartment: c.ownerDepartment, ownerUserId: c.ownerUserId, freshness: f },
        ];
      }),
    );
  }

  /**
   * For audit packs: the sweeps of the ISO weeks touching the days from..to (TZ_COMPLIANCE), counting only the
   * given controls' tasks — per week tasks, completed, late and exceptions, and the irregular tasks
   * (exception, completed late, or missed: still open after due at the period's end or now, whichever is first).
   */
  async periodReport(
    from: string,
    to: string,
    controlIds: string[],
    now = new Date(),
  ): Promise<{
    weeks: { week: string; tasks: number; completed: number; late: number; exceptions: number }[];
    irregular: { week: string; control: string; kind: 'exception' | 'late' | 'missed'; note: string | null }[];
  }> {
    const tz = this.config.timeZone;
    const fromWeek = formatWeek(isoWeekOfDate(parseDate(from)));
    const toWeek = formatWeek(isoWeekOfDate(parseDate(to)));
    const end = zonedInstant(addDays(parseDate(to), 1), 0, 0, tz);
    const asOf = end < now ? end : now;
    const [weeks, tasks] = await Promise.all([
      this.repo.weekStats(fromWeek, toWeek, controlIds, asOf),
      this.repo.irregularTasks(fromWeek, toWeek, controlIds, asOf),
    ]);
    return {
      weeks,
      irregular: tasks.map((t) => ({
        week: t.week,
        control: t.controlKey,
        kind: t.status === 'exception' ? 'exception' : t.status === 'open' ? 'missed' : 'late',
        note: t.note,
      })),
    };
  }

  /** Freshness of every live control as it stood at `at` (evidence dated at or after it not counted), by control id. */
  async freshnessAt(at: Date): Promise<Map<string, Freshness>> {
    const controls = await this.catalog.liveControls();
    const newest = await this.evidenceQueries.newestByControl(
      controls.map((c) => c.id),
      at,
    );
    const tz = this.config.timeZone;
    return new Map(
      controls.map((c) => [c.id, freshness(c, newest.has(c.id) ? localDate(newest.get(c.id)!, tz) : null, at, tz)]),
    );
  }

  /** Posture of the frameworks the actor may read it for (an auditor: those in scope of an engagement). */
  async postureFor(actor: UserActor, now = new Date()): Promise<FrameworkPosture[]> {
    const ability = abilityFor(actor);
    return (await this.posture(now)).filter((p) =>
      ability.can('read', asSubject('Posture', { framework: p.framework })),
    );
  }

  async posture(now = new Date()): Promise<FrameworkPosture[]> {
    const [inputs, controls] = await Promise.all([this.catalog.postureInputs(), this.controlFreshness(now)]);
    return inputs.map((f) => frameworkPosture(f.framework, f.requirements, controls));
  }
}
