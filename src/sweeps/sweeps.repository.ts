import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy } from '../authz/casl-sql';
import { SweepTask, TaskStatus } from './sweep-task.entity';
import { Sweep } from './sweep.entity';

export interface ProgressRow {
  ownerDepartment: string;
  ownerUserId: string | null;
  status: TaskStatus;
  count: number;
}

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

  openBefore(week: string, m: EntityManager): Promise<Sweep[]> {
    return m.createQueryBuilder(Sweep, 's').where(`s.status = 'open' AND s.week < :week`, { week }).orderBy('s.week').getMany();
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
  async listTasks(ability: AppAbility, sweepId: string, filter: { mineFor?: { userId: string; departmentKey: string | null }; status?: TaskStatus; limit: number; offset: number }): Promise<{ rows: SweepTask[]; total: number }> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(SweepTask, 't'), ability, 'read', 'SweepTask').andWhere('t.sweep_id = :sweepId', { sweepId });
    if (filter.mineFor) {
      qb.andWhere(
        filter.mineFor.departmentKey
          ? '(t.owner_user_id = :me OR (t.owner_user_id IS NULL AND t.owner_department = :dept))'
          : 't.owner_user_id = :me',
        { me: filter.mineFor.userId, dept: filter.mineFor.departmentKey },
      );
    }
    if (filter.status) qb.andWhere('t.status = :status', { status: filter.status });
    const [rows, total] = await qb.orderBy('t.status', 'ASC').addOrderBy('t.control_key', 'ASC').skip(filter.offset).take(filter.limit).getManyAndCount();
    return { rows, total };
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

  async progress(sweepId: string, m?: EntityManager): Promise<ProgressRow[]> {
    const rows: { owner_department: string; owner_user_id: string | null; status: TaskStatus; count: string }[] = await this.m(m).query(
      `SELECT owner_department, owner_user_id, status, count(*) AS count FROM sweep_tasks WHERE sweep_id = $1
        GROUP BY owner_department, owner_user_id, status ORDER BY owner_department`,
      [sweepId],
    );
    return rows.map((r) => ({ ownerDepartment: r.owner_department, ownerUserId: r.owner_user_id, status: r.status, count: Number(r.count) }));
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
      .then(({ entities, raw }) => entities.map((e, i) => Object.assign(e, { week: (raw[i] as { week: string }).week })));
  }
}
