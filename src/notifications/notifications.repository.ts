import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy } from '../authz/casl-sql';
import { Notification } from './notification.entity';

export type NewNotification = Pick<
  Notification,
  'recipientUserId' | 'kind' | 'dedupeKey' | 'subject' | 'body' | 'link' | 'emailStatus' | 'emailNextAttemptAt'
>;

export interface NotificationListFilter {
  unread?: boolean;
  limit: number;
  offset: number;
}

/** The only place with notification query code. */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  /** INSERT … ON CONFLICT (dedupe_key) DO NOTHING: true when this call stored the row. Safe inside a transaction. */
  async insertIfAbsent(values: NewNotification, m?: EntityManager): Promise<boolean> {
    const result = await this.m(m)
      .createQueryBuilder()
      .insert()
      .into(Notification)
      .values(values)
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as unknown[]).length === 1;
  }

  findById(id: string, m?: EntityManager): Promise<Notification | null> {
    return this.m(m).findOne(Notification, { where: { id } });
  }

  /** The notifications the ability may read, newest first, filtered and paged in SQL. */
  async listVisibleTo(
    ability: AppAbility,
    filter: NotificationListFilter,
  ): Promise<{ rows: Notification[]; total: number }> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(Notification, 'n'), ability, 'read', 'Notification');
    if (filter.unread !== undefined) qb.andWhere(filter.unread ? 'n.read_at IS NULL' : 'n.read_at IS NOT NULL');
    const [rows, total] = await qb
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .skip(filter.offset)
      .take(filter.limit)
      .getManyAndCount();
    return { rows, total };
  }

  countUnreadVisibleTo(ability: AppAbility): Promise<number> {
    return accessibleBy(this.ds.manager.createQueryBuilder(Notification, 'n'), ability, 'read', 'Notification')
      .andWhere('n.read_at IS NULL')
      .getCount();
  }

  async markRead(id: string, at: Date, m?: EntityManager): Promise<void> {
    await this.m(m)
      .createQueryBuilder()
      .update(Notification)
      .set({ readAt: at })
      .where('id = :id AND read_at IS NULL', { id })
      .execute();
  }

  /** Marks read every unread notification the ability may update; returns how many. */
  async markAllReadVisibleTo(ability: AppAbility, at: Date): Promise<number> {
    const unread = accessibleBy(
      this.ds.manager.createQueryBuilder(Notification, 'n').select('n.id'),
      ability,
      'update',
      'Notification',
    ).andWhere('n.read_at IS NULL');
    const result = await this.ds.manager
      .createQueryBuilder()
      .update(Notification)
      .set({ readAt: at })
      .where(`id IN (${unread.getQuery()})`)
      .setParameters(unread.getParameters())
      .execute();
    return result.affected ?? 0;
  }

  // ---- e-mail delivery -----------------------------------------------------------------------------

  /**
   * Locks the next pending e-mail that is due, skipping rows other transactions hold (another instance
   * delivering them), so no two deliverers ever hold the same row. Null when none is left.
   */
  claimNextDue(now: Date, m: EntityManager): Promise<Notification | null> {
    return m
      .createQueryBuilder(Notification, 'n')
      .where(`n.email_status = 'pending' AND n.email_next_attempt_at <= :now`, { now })
      .orderBy('n.email_next_attempt_at', 'ASC')
      .addOrderBy('n.id', 'ASC')
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .limit(1)
      .getOne();
  }

  async recordDelivery(
    id: string,
    values: Partial<
      Pick<Notification, 'emailStatus' | 'emailAttempts' | 'emailNextAttemptAt' | 'emailLastError' | 'emailSentAt'>
    >,
    m: EntityManager,
  ): Promise<void> {
    await m.update(Notification, { id }, values);
  }
}
