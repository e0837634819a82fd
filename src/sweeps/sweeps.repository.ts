import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy, caslWhere, UnsupportedCaslConditionError, type VirtualFields } from '../authz/casl-sql';
import { SweepTask, TaskStatus } from './sweep-task.entity';
import { Sweep } from './sweep.entity';

export interface ProgressRow {
  ownerDepartment: string;
  ownerUserId: string | null;
  status: TaskStatus;
  count: number;
  /** Of those, open past the due time each task had, at the `asOf` given. */
  overdue: number;
}

interface RawProgressRow {
  owner_department: string;
  owner_user_id: string | null;
  status: TaskStatus;
  count: string | number; // bigint: text from a row, a number from JSON
  overdue: string | number;
}

const progressRow = (r: RawProgressRow): ProgressRow => ({
  ownerDepartment: r.owner_department,
  ownerUserId: r.owner_user_id,
  status: r.status,
  count: Number(r.count),
  overdue: Number(r.overdue),
});

/** A sweep's tasks counted by owner and status, and those open past their due time at `asOf` (SQL expressions). */
const progressQuery = (sweepId: string, asOf: string, scope: string) =>
  `SELECT owner_department, owner_user_id, status, count(*) AS count,
          count(*) FILTER (WHERE status = 'open' AND due_at < ${asOf}) AS overdue
     FROM sweep_tasks t WHERE t.sweep_id = ${sweepId} AND (${scope})
    GROUP BY owner_department, owner_user_id, status`;

interface RawSweep {
  id: string;
  week: string;
  status: Sweep['status'];
  opened_at: Date;
  opened_by: string;
  due_at: Date;
  closed_at: Date | null;
  summary_evidence_id: string | null;
}

/** A Sweep from its raw row (every column of the entity). */
function sweepOf(r: RawSweep): Sweep {
  return Object.assign(new Sweep(), {
    id: r.id,
    week: r.week,
    status: r.status,
    openedAt: r.opened_at,
    openedBy: r.opened_by,
    dueAt: r.due_at,
    closedAt: r.closed_at,
    summaryEvidenceId: r.summary_evidence_id,
  });
}

const COMPARE: Record<string, string> = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * Fields rules name on a task that are not its columns, for queries aliased `t`: `week`, the ISO week of
 * its sweep (auditors: the weeks touching their period), and `framework`, which only a framework's posture
 * has (never a task).
 */
export const SWEEP_TASK_VIRTUAL_FIELDS: VirtualFields = {
  week: (operator, value, param) => {
    if (!COMPARE[operator]) throw new UnsupportedCaslConditionError(`CASL operator ${operator} on a sweep task's week`);
    return `(SELECT s.week FROM sweeps s WHERE s.id = t.sweep_id) ${COMPARE[operator]} ${param(value)}`;
  },
  framework: () => 'FALSE',
};

@Injectable()
export class SweepsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  /** Serialises everything that opens or closes one week, across instances (transaction-scoped lock). */
  async lockWeek(week: string, m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`attest:sweep:${week}`]);
  }

  findByWeek(week: string, m?: EntityManager): Promise<Sweep | null> {
    return this.m(m).findOne(Sweep, { where: { week } });
  }

  findById(id: string, m?: EntityManager): Promise<Sweep | null> {
    return this.m(m).findOne(Sweep, { where: { id } });
  }

  /** The newest sweep (by week), or null. */
  latest(): Promise<Sweep | null> {
    return this.ds.manager.createQueryBuilder(Sweep, 's').orderBy('s.week', 'DESC').limit(1).getOne();
  }

  /** The newest sweep the ability may read (an auditor: the last week touching their period), or null. */
  latestVisible(ability: AppAbility): Promise<Sweep | null> {
    return accessibleBy(this.ds.manager.createQueryBuilder(Sweep, 's'), ability, 'read', 'Sweep')
      .orderBy('s.week', 'DESC')
      .limit(1)
      .getOne();
  }

  openBefore(week: string, m?: EntityManager): Promise<Sweep[]> {
    return this.m(m)
      .createQueryBuilder(Sweep, 's')
      .where(`s.status = 'open' AND s.week < :week`, { week })
      .orderBy('s.week')
      .getMany();
  }

  insertSweep(values: Pick<Sweep, 'week' | 'openedAt' | 'openedBy' | 'dueAt'>, m: EntityManager): Promise<Sweep> {
    return m.save(Sweep, m.create(Sweep, { ...values, status: 'open', closedAt: null, summaryEvidenceId: null }));
  }

  async closeSweep(id: string, closedAt: Date, summaryEvidenceId: string | null, m: EntityManager): Promise<void> {
    await m.update(Sweep, { id }, { status: 'closed', closedAt, summaryEvidenceId });
  }

  async insertTasks(rows: Partial<SweepTask>[], m: EntityManager): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) await m.insert(SweepTask, rows.slice(i, i + 500));
  }

  countTasks(sweepId: string, m?: EntityManager): Promise<number> {
    return this.m(m).count(SweepTask, { where: { sweepId } });
  }

  /** Tasks of a sweep the ability may read, filtered and paged in SQL. */
  async listTasks(
    ability: AppAbility,
    sweepId: string,
    filter: {
      mineFor?: { userId: string; departmentKey: string | null };
      status?: TaskStatus;
      /** Assigned to this person. */
      owner?: string;
      /** The department's tasks that no person is assigned to. */
      department?: string;
      /** Open and past their due time at this moment (the sweep's closing, for a closed one). */
      overdueAt?: Date;
      limit: number;
      offset: number;
    },
  ): Promise<{ rows: SweepTask[]; total: number }> {
    const qb = accessibleBy(
      this.ds.manager.createQueryBuilder(SweepTask, 't'),
      ability,
      'read',
      'SweepTask',
      SWEEP_TASK_VIRTUAL_FIELDS,
    ).andWhere('t.sweep_id = :sweepId', { sweepId });
    if (filter.mineFor) {
      qb.andWhere(
        filter.mineFor.departmentKey
          ? '(t.owner_user_id = :me OR (t.owner_user_id IS NULL AND t.owner_department = :dept))'
          : 't.owner_user_id = :me',
        { me: filter.mineFor.userId, dept: filter.mineFor.departmentKey },
      );
    }
    if (filter.status) qb.andWhere('t.status = :status', { status: filter.status });
    if (filter.owner) qb.andWhere('t.owner_user_id = :owner', { owner: filter.owner });
    if (filter.department)
      qb.andWhere('t.owner_user_id IS NULL AND t.owner_department = :department', { department: filter.department });
    if (filter.overdueAt) qb.andWhere(`t.status = 'open' AND t.due_at < :asOf`, { asOf: filter.overdueAt });
    const [rows, total] = await qb
      .orderBy('t.status', 'ASC')
      .addOrderBy('t.control_key', 'ASC')
      .skip(filter.offset)
      .take(filter.limit)
      .getManyAndCount();
    return { rows, total };
  }

  /** How many tasks of a sweep in this status the ability may read, per control: one row per control. */
  async countTasksByControl(
    ability: AppAbility,
    sweepId: string,
    status: TaskStatus,
  ): Promise<{ controlKey: string; tasks: number }[]> {
    const rows = await accessibleBy(
      this.ds.manager.createQueryBuilder(SweepTask, 't'),
      ability,
      'read',
      'SweepTask',
      SWEEP_TASK_VIRTUAL_FIELDS,
    )
      .andWhere('t.sweep_id = :sweepId', { sweepId })
      .andWhere('t.status = :status', { status })
      .select('t.control_key', 'controlKey')
      .addSelect('count(*)::int', 'tasks')
      .groupBy('t.control_key')
      .orderBy('t.control_key', 'ASC')
      .getRawMany<{ controlKey: string; tasks: number }>();
    return rows;
  }

  findTask(id: string, m?: EntityManager): Promise<SweepTask | null> {
    return this.m(m).findOne(SweepTask, { where: { id } });
  }

  /** Locks the task row for the rest of the transaction (two people completing it at once). */
  findTaskForUpdate(id: string, m: EntityManager): Promise<SweepTask | null> {
    return m.createQueryBuilder(SweepTask, 't').setLock('pessimistic_write').where('t.id = :id', { id }).getOne();
  }

  async updateTask(id: string, values: Partial<SweepTask>, m: EntityManager): Promise<void> {
    await m.update(SweepTask, { id }, values);
  }

  /**
   * Task counts of a sweep by owner and status. With an ability, only the tasks whose posture it may read
   * (an auditor: controls of the frameworks in scope; everyone else who reads sweeps: every task).
   */
  async progress(sweepId: string, asOf: Date, m?: EntityManager, ability?: AppAbility): Promise<ProgressRow[]> {
    const scope = ability ? this.postureScope(ability, 3, m) : { sql: 'TRUE', values: [] };
    const rows: RawProgressRow[] = await this.m(m).query(
      `${progressQuery('$1', '$2', scope.sql)} ORDER BY owner_department`,
      [sweepId, asOf, ...scope.values],
    );
    return rows.map(progressRow);
  }

  /**
   * A week's sweep with its `progress()` for the ability, as of its close (or `now` while it is open), in
   * one query: the current sweep's page reads this on every request. Null when there is no such sweep.
   */
  async weekWithProgress(
    week: string,
    now: Date,
    ability: AppAbility,
  ): Promise<{ sweep: Sweep; progress: ProgressRow[] } | null> {
    const scope = this.postureScope(ability, 3);
    const rows: (RawSweep & { progress: RawProgressRow[] })[] = await this.ds.query(
      `SELECT s.id, s.week, s.status, s.opened_at, s.opened_by, s.due_at, s.closed_at, s.summary_evidence_id,
              COALESCE((SELECT json_agg(p ORDER BY p.owner_department)
                          FROM (${progressQuery('s.id', 'COALESCE(s.closed_at, $2)', scope.sql)}) p), '[]') AS progress
         FROM sweeps s WHERE s.week = $1`,
      [week, now, ...scope.values],
    );
    if (rows.length === 0) return null;
    const { progress, ...sweep } = rows[0];
    return { sweep: sweepOf(sweep), progress: progress.map(progressRow) };
  }

  /** The tasks whose posture the ability may read, as a condition on `t` with positional parameters from `first`. */
  private postureScope(ability: AppAbility, first: number, m?: EntityManager): { sql: string; values: unknown[] } {
    return this.positional(
      caslWhere(this.m(m).createQueryBuilder(SweepTask, 't'), ability, 'read', 'Posture', SWEEP_TASK_VIRTUAL_FIELDS),
      first,
    );
  }

  /**
   * Per week from `fromWeek` to `toWeek` (inclusive), the tasks of the given controls: how many, completed
   * (evidence or attestation), late (completed after due, or still open after due at `asOf`), exceptions.
   */
  async weekStats(
    fromWeek: string,
    toWeek: string,
    controlIds: string[],
    asOf: Date,
  ): Promise<{ week: string; tasks: number; completed: number; late: number; exceptions: number }[]> {
    const rows: { week: string; tasks: string; completed: string; late: string; exceptions: string }[] =
      await this.ds.query(
        `SELECT s.week, count(t.id) AS tasks,
              count(t.id) FILTER (WHERE t.status IN ('completed', 'attested')) AS completed,
              count(t.id) FILTER (WHERE t.completed_at > t.due_at OR (t.completed_at IS NULL AND t.due_at < $4)) AS late,
              count(t.id) FILTER (WHERE t.status = 'exception') AS exceptions
         FROM sweeps s LEFT JOIN sweep_tasks t ON t.sweep_id = s.id AND t.control_id = ANY($3::uuid[])
        WHERE s.week >= $1 AND s.week <= $2
        GROUP BY s.week ORDER BY s.week`,
        [fromWeek, toWeek, controlIds, asOf],
      );
    return rows.map((r) => ({
      week: r.week,
      tasks: Number(r.tasks),
      completed: Number(r.completed),
      late: Number(r.late),
      exceptions: Number(r.exceptions),
    }));
  }

  /** Tasks of those weeks and controls that were raised as exceptions, completed late, or still open after due at `asOf`. */
  async irregularTasks(
    fromWeek: string,
    toWeek: string,
    controlIds: string[],
    asOf: Date,
  ): Promise<{ week: string; controlKey: string; status: TaskStatus; note: string | null; late: boolean }[]> {
    const rows: { week: string; control_key: string; status: TaskStatus; note: string | null; late: boolean }[] =
      await this.ds.query(
        `SELECT s.week, t.control_key, t.status, t.note,
              (t.completed_at > t.due_at OR (t.completed_at IS NULL AND t.due_at < $4)) AS late
         FROM sweep_tasks t JOIN sweeps s ON s.id = t.sweep_id
        WHERE s.week >= $1 AND s.week <= $2 AND t.control_id = ANY($3::uuid[])
          AND (t.status = 'exception' OR t.completed_at > t.due_at OR (t.completed_at IS NULL AND t.due_at < $4))
        ORDER BY s.week, t.control_key`,
        [fromWeek, toWeek, controlIds, asOf],
      );
    return rows.map((r) => ({
      week: r.week,
      controlKey: r.control_key,
      status: r.status,
      note: r.note,
      late: !!r.late,
    }));
  }

  /** A compiled CASL fragment with its named parameters turned into $n, numbered from `first`, for a raw query. */
  private positional(
    where: { sql: string; params: Record<string, unknown> },
    first: number,
  ): { sql: string; values: unknown[] } {
    const values: unknown[] = [];
    const sql = where.sql.replace(/:(casl_\w+)/g, (_, key: string) => {
      values.push(where.params[key]);
      return `$${first + values.length - 1}`;
    });
    return { sql, values };
  }

  /**
   * The tasks of a control that ended in an exception or an attestation, newest first, with their week;
   * with `completedFrom`/`completedBefore`, only those completed in that interval.
   */
  async outcomesOfControl(
    controlKey: string,
    filter: { completedFrom?: Date; completedBefore?: Date; limit: number },
  ): Promise<(SweepTask & { week: string })[]> {
    const qb = this.ds.manager
      .createQueryBuilder(SweepTask, 't')
      .innerJoin(Sweep, 's', 's.id = t.sweep_id')
      .addSelect('s.week', 'week')
      .where(`t.control_key = :controlKey AND t.status IN ('exception', 'attested')`, { controlKey });
    if (filter.completedFrom) qb.andWhere('t.completed_at >= :from', { from: filter.completedFrom });
    if (filter.completedBefore) qb.andWhere('t.completed_at < :before', { before: filter.completedBefore });
    const { entities, raw } = await qb
      .orderBy('s.week', 'DESC')
      .addOrderBy('t.completed_at', 'DESC')
      .limit(filter.limit)
      .getRawAndEntities();
    return entities.map((e, i) => Object.assign(e, { week: (raw[i] as { week: string }).week }));
  }

  /** Open tasks of open sweeps (for reminders and escalation). */
  openTasks(): Promise<(SweepTask & { week: string })[]> {
    return this.ds.manager
      .createQueryBuilder(SweepTask, 't')
      .innerJoin(Sweep, 's', 's.id = t.sweep_id')
      .addSelect('s.week', 'week')
      .where(`t.status = 'open' AND s.status = 'open'`)
      .orderBy('t.due_at')
      .getRawAndEntities()
      .then(({ entities, raw }) =>
        entities.map((e, i) => Object.assign(e, { week: (raw[i] as { week: string }).week })),
      );
  }
}
