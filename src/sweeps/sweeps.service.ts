import { Inject, Injectable } from '@nestjs/common';
import { abilityFor } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { NotFoundError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import { addDays, isoWeek, parseDate, zonedInstant } from '../common/time/calendar';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { UsersService } from '../identity/users.service';
import { taskTiming } from './domain/due-date';
import { ControlOutcomeView, SweepTaskView, sweepTaskView, SweepView, TaskListQueryDto } from './dto/sweep.dto';
import type { Sweep } from './sweep.entity';
import type { TaskStatus } from './sweep-task.entity';
import { SweepPostureService } from './sweep-posture.service';
import { SweepTasksService } from './sweep-tasks.service';
import { nominalDueAt } from './sweep-weeks';
import { type ProgressRow, SweepsRepository } from './sweeps.repository';

/**
 * Reading sweeps: the current one, a week's with its progress, its tasks, "my sweep", a control's outcomes.
 * Opening and closing are in SweepLifecycleService, completing tasks in SweepTasksService, reminders in
 * SweepRemindersService, freshness and posture in SweepPostureService.
 */
@Injectable()
export class SweepsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: SweepsRepository,
    private readonly users: UsersService,
    private readonly sweepTasks: SweepTasksService,
    private readonly sweepPosture: SweepPostureService,
  ) {}

  /** The ISO week an instant falls in, in the sweep time zone. */
  weekOf(at: Date): string {
    return isoWeek(at, this.config.timeZone);
  }

  /** This week's sweep when the actor may read it, else the newest one they may read (an auditor: within their period). */
  async current(actor: UserActor, now = new Date()): Promise<SweepView> {
    const ability = abilityFor(actor);
    const thisWeek = await this.repo.weekWithProgress(this.weekOf(now), now, ability);
    if (thisWeek && ability.can('read', asSubject('Sweep', thisWeek.sweep)))
      return this.viewOf(actor, thisWeek.sweep, thisWeek.progress);
    const sweep = await this.repo.latestVisible(ability);
    if (!sweep) throw new NotFoundError('sweep');
    return this.view(actor, sweep, now);
  }

  async byWeek(actor: UserActor, week: string, now = new Date()): Promise<SweepView> {
    const ability = abilityFor(actor);
    const found = await this.repo.weekWithProgress(week, now, ability);
    const sweep = await readableOr404(ability, 'Sweep', found?.sweep ?? null, { entity: 'sweep', id: week });
    return this.viewOf(actor, sweep, found!.progress);
  }

  /** A week's sweep the actor may read (an auditor: a week touching their period), else 404. */
  private async readableSweep(actor: UserActor, week: string): Promise<Sweep> {
    return readableOr404(abilityFor(actor), 'Sweep', await this.repo.findByWeek(week), { entity: 'sweep', id: week });
  }

  private async view(actor: UserActor, sweep: Sweep, now: Date): Promise<SweepView> {
    // Counted over the tasks whose posture the actor may read (an auditor: the controls in scope).
    const rows = await this.repo.progress(sweep.id, sweep.closedAt ?? now, undefined, abilityFor(actor));
    return this.viewOf(actor, sweep, rows);
  }

  private async viewOf(actor: UserActor, sweep: Sweep, rows: ProgressRow[]): Promise<SweepView> {
    const ability = abilityFor(actor);
    // Progress per owner (and so the owners' names) only for those who may see every task.
    const perOwner = ability.can('update', 'Sweep');
    const names = perOwner
      ? await this.users.namesByIds(rows.flatMap((r) => (r.ownerUserId ? [r.ownerUserId] : [])))
      : new Map<string, string>();
    const owners = new Map<
      string,
      { owner: string; ownerUserId: string | null; department: string; open: number; overdue: number; done: number }
    >();
    for (const r of rows) {
      const key = `${r.ownerDepartment}|${r.ownerUserId ?? ''}`;
      const o = owners.get(key) ?? {
        owner: r.ownerUserId ? (names.get(r.ownerUserId) ?? r.ownerUserId) : `${r.ownerDepartment} (department)`,
        ownerUserId: r.ownerUserId,
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
    const nominal = nominalDueAt(sweep.week, this.config);
    const total = rows.reduce((n, r) => n + r.count, 0);
    const done = rows.filter((r) => r.status !== 'open').reduce((n, r) => n + r.count, 0);
    return {
      week: sweep.week,
      status: sweep.status,
      openedAt: sweep.openedAt.toISOString(),
      dueAt: sweep.dueAt.toISOString(),
      nominalDueAt: nominal.toISOString(),
      openedLate: sweep.dueAt.getTime() !== nominal.getTime(),
      closedAt: sweep.closedAt?.toISOString() ?? null,
      summaryEvidenceId: sweep.summaryEvidenceId,
      tasks: total,
      done,
      overdue: rows.reduce((n, r) => n + r.overdue, 0),
      // Progress per owner only for those who may see every task (compliance managers, admins).
      byOwner: perOwner
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
      owner: query.owner,
      department: query.department,
      overdueAt: query.overdue ? (sweep.closedAt ?? now) : undefined,
    });
    return { items: rows.map((t) => sweepTaskView(t, now)), total, ...page };
  }

  /** The sweep's tasks in this status that the actor may read, counted per control (a dashboard's figures). */
  async taskCountsByControl(
    actor: UserActor,
    week: string,
    status: TaskStatus,
  ): Promise<{ controlKey: string; tasks: number }[]> {
    const sweep = await this.readableSweep(actor, week);
    return this.repo.countTasksByControl(abilityFor(actor), sweep.id, status);
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

  // The pages (src/web) still call these here; they belong to SweepTasksService and SweepPostureService.
}
