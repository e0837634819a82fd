import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy } from '../authz/casl-sql';
import { ConflictError } from '../common/errors/app-error';
import type { KeyNoticeKind } from './domain/key-model';
import { Key, KeyRotation } from './key.entity';

/** The only place with key register query code. Lists are filtered in SQL by the caller's ability. */
@Injectable()
export class KeysRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  findByName(name: string, m?: EntityManager): Promise<Key | null> {
    return this.m(m).findOne(Key, { where: { name } });
  }

  /** Takes the key's row lock: its rotations are recorded one at a time. */
  lock(name: string, m: EntityManager): Promise<Key | null> {
    return m.createQueryBuilder(Key, 'k').setLock('pessimistic_write').where('k.name = :name', { name }).getOne();
  }

  /** Inserts the key; a name already registered is a 409 naming `name`. */
  async insert(row: Partial<Key>, m: EntityManager): Promise<Key> {
    const inserted: { id: string }[] = await m.query(
      `INSERT INTO keys (name, system, kind, interval_days, owner_user_id, department, created_by_user_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING RETURNING id`,
      [row.name, row.system, row.kind, row.intervalDays ?? null, row.ownerUserId, row.department, row.createdByUserId],
    );
    if (inserted.length === 0)
      throw new ConflictError('key.name_taken', `A key named ${row.name} is already registered.`, [
        { field: 'name', message: 'is already registered' },
      ]);
    return (await m.findOne(Key, { where: { id: inserted[0].id } }))!;
  }

  /** Every key the ability may read, by name (the register is small: clocks are computed per key). */
  listVisible(ability: AppAbility, filter: { department?: string }): Promise<Key[]> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(Key, 'k'), ability, 'read', 'Key');
    if (filter.department) qb.andWhere('k.department = :department', { department: filter.department });
    return qb.orderBy('k.name', 'ASC').getMany();
  }

  /** Every key (the reminder job and the weekly snapshot). */
  all(m?: EntityManager): Promise<Key[]> {
    return this.m(m).find(Key, { order: { name: 'ASC' } });
  }

  rotationsOf(keyIds: string[], m?: EntityManager): Promise<KeyRotation[]> {
    if (keyIds.length === 0) return Promise.resolve([]);
    return this.m(m).find(KeyRotation, { where: { keyId: In(keyIds) }, order: { rotatedAt: 'DESC', id: 'ASC' } });
  }

  /** Appends the rotation and moves the key's last rotation forward when it is newer. */
  async insertRotation(row: Partial<KeyRotation>, m: EntityManager): Promise<KeyRotation> {
    const saved = await m.save(KeyRotation, m.create(KeyRotation, row));
    await m.query(
      `UPDATE keys SET last_rotated_at = $2 WHERE id = $1 AND (last_rotated_at IS NULL OR last_rotated_at < $2)`,
      [row.keyId, row.rotatedAt],
    );
    return saved;
  }

  /**
   * Records that the notice of this kind for this due moment is being sent: true when this call holds the
   * row (send it), false when it was already sent (another run, another instance).
   */
  async claimNotice(keyId: string, kind: KeyNoticeKind, dueAt: Date, m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO key_notices (key_id, kind, due_at) VALUES ($1, $2, $3)
       ON CONFLICT (key_id, kind, due_at) DO NOTHING RETURNING id`,
      [keyId, kind, dueAt],
    );
    return rows.length === 1;
  }
}
