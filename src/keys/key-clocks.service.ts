import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { toJsonObject, type JsonObject } from '../audit-trail/domain/audit-entry';
import { systemActor } from '../authz/actor';
import { formatLocalTime } from '../common/time/calendar';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import type { KeyNoticeKind } from './domain/key-model';
import type { KeyView } from './dto/key.dto';
import type { Key } from './key.entity';
import { KeysRepository } from './keys.repository';
import { KeysService } from './keys.service';

const JOB_ACTOR = systemActor('job:key-rotation');

/**
 * The register's clocks at work: a reminder to the owner when a key is due soon and an escalation to the
 * compliance managers (the owner told too) when it is overdue, each once only per due moment; and the
 * register's weekly snapshot for the sweep's collector.
 */
@Injectable()
export class KeyClocksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: KeysService,
    private readonly repo: KeysRepository,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Sends what is due at `now`. Each notice is claimed by a row unique on (key, kind, due moment) in the
   * same transaction as its notifications, so a second run, or another instance, sends nothing again; a
   * rotation moves the due moment, which opens the next period's notices.
   */
  async remindAndEscalate(now = new Date()): Promise<{ reminders: number; escalations: number }> {
    let reminders = 0;
    let escalations = 0;
    const managers = await this.users.activeUserIds({ role: 'compliance_manager' });
    for (const { key, view } of await this.keys.allWithClocks(now)) {
      if (view.state === 'ok') continue;
      const kind: KeyNoticeKind = view.state === 'overdue' ? 'escalation' : 'reminder';
      const recipients = kind === 'escalation' ? [...new Set([key.ownerUserId, ...managers])] : [key.ownerUserId];
      if (await this.send(key, view, kind, recipients)) {
        if (kind === 'escalation') escalations++;
        else reminders++;
      }
    }
    return { reminders, escalations };
  }

  private send(key: Key, view: KeyView, kind: KeyNoticeKind, recipients: string[]): Promise<boolean> {
    const due = formatLocalTime(view.dueAt, this.config.timeZone);
    const subject =
      kind === 'escalation'
        ? `Overdue key rotation: ${key.name} (${key.system}) was due ${due}`
        : `Key rotation due ${due}: ${key.name} (${key.system})`;
    const body =
      `${key.name} (${key.system}, ${key.kind.replace('_', ' ')}, department ${key.department}) rotates every ` +
      `${view.intervalDays} days; last rotation ${view.lastRotatedAt ? formatLocalTime(view.lastRotatedAt, this.config.timeZone) : 'never recorded'}; ` +
      `due ${due}. Record the rotation from CI (POST /api/keys/${key.name}/rotations) or attest it on the key's page.`;
    return this.ds.transaction(async (m) => {
      if (!(await this.repo.claimNotice(key.id, kind, new Date(view.dueAt), m))) return false;
      for (const recipient of recipients)
        await this.notifications.enqueue(
          {
            recipientUserId: recipient,
            kind: `key.${kind}`,
            dedupeKey: `key:${key.id}:${view.dueAt}:${kind}:${recipient}`,
            subject,
            body,
            link: `/keys/${key.name}`,
          },
          m,
        );
      await this.keys.audit(m, JOB_ACTOR, 'key.notice', key, {
        kind,
        dueAt: view.dueAt,
        recipients: recipients.length,
      });
      return true;
    });
  }

  /**
   * The register at `now` for the weekly evidence: every key (never a value) with its interval, owner,
   * last rotation and clock, the rotations recorded in the period, and the counts per state.
   */
  async registerSnapshot(from: Date, to: Date, now: Date): Promise<JsonObject> {
    const rows = await this.keys.allWithClocks(now);
    const rotations = await this.keys.rotationsBetween(
      rows.map((r) => r.key.id),
      from,
      to,
    );
    const byKey = new Map<string, number>();
    for (const r of rotations) byKey.set(r.keyId, (byKey.get(r.keyId) ?? 0) + 1);
    const count = (state: string) => rows.filter((r) => r.view.state === state).length;
    return toJsonObject({
      at: now.toISOString(),
      period: { from: from.toISOString(), to: to.toISOString() },
      counts: { keys: rows.length, ok: count('ok'), dueSoon: count('due_soon'), overdue: count('overdue') },
      rotationsInPeriod: rotations.length,
      keys: rows.map(({ key, view }) => ({
        name: view.name,
        system: view.system,
        kind: view.kind,
        intervalDays: view.intervalDays,
        owner: view.ownerName,
        ownerUserId: view.ownerUserId,
        department: view.department,
        lastRotatedAt: view.lastRotatedAt,
        dueAt: view.dueAt,
        state: view.state,
        rotationsInPeriod: byKey.get(key.id) ?? 0,
      })),
    });
  }
}
