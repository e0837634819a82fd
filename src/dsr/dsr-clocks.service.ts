import { Injectable } from '@nestjs/common';
import { toJsonObject, type JsonObject } from '../audit-trail/domain/audit-entry';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import {
  alertsFor,
  clocks,
  clockStatistics,
  describeRemaining,
  RIGHT_SECTION,
  type DsrClockStatistics,
  type DsrRight,
} from './domain/dsr-clocks';
import { isOpen, type DsrStatus } from './domain/dsr-model';
import type { DsrRequest } from './dsr-request.entity';
import { clockInput } from './dsr-views';
import { DsrRepository } from './dsr.repository';
import { formatLocalTime } from '../common/time/calendar';

/** The clocks of the register: reminders and escalations, the weekly snapshot and audit-pack statistics (no identity). */
@Injectable()
export class DsrClockService {
  constructor(
    private readonly repo: DsrRepository,
    private readonly notifications: NotificationsService,
    private readonly users: UsersService,
  ) {}

  /** Reminds privacy officers before a clock runs out and escalates to compliance managers; each alert once. */
  async remindClocks(now = new Date()): Promise<number> {
    const [officers, managers] = await Promise.all([
      this.users.activeUserIds({ role: 'privacy_officer' }),
      this.users.activeUserIds({ role: 'compliance_manager' }),
    ]);
    let raised = 0;
    for (const row of await this.repo.openRequests()) {
      const view = clocks({ ...clockInput(row), closedAt: null }, now);
      for (const alert of alertsFor(view)) {
        const recipients = alert.kind === 'reminder' ? officers : [...new Set([...officers, ...managers])];
        const remaining = alert.clock === 'internal' ? view.internal.remainingMs : view.statutory!.remainingMs;
        const deadline =
          alert.clock === 'internal'
            ? 'internal 7-day SLA'
            : row.right === 'objection'
              ? `separation of the data (${RIGHT_SECTION.objection} para 2)`
              : `statutory deadline (${RIGHT_SECTION[row.right as DsrRight]})`;
        for (const userId of recipients) {
          const created = await this.notifications.enqueue({
            recipientUserId: userId,
            kind: `dsr.${alert.kind}`,
            dedupeKey: `dsr:${row.id}:${alert.kind}:${alert.clock}:${userId}`,
            subject: `${row.reference} (${row.right}): ${deadline} ${describeRemaining(remaining)}`,
            body: `${row.reference} is ${row.status.replace('_', ' ')}. The ${deadline} is ${formatLocalTime(alert.dueAt)}.`,
            link: `/dsr/${row.id}`,
          });
          if (created) raised++;
        }
      }
    }
    return raised;
  }

  /** The register for a week, without identity: open requests with clocks, closed ones, refusals in the ROPA. */
  async registerSnapshot(from: Date, to: Date, now = new Date()): Promise<JsonObject> {
    const rows = await this.repo.requestsBetween(from, to);
    const ropa = await this.repo.ropaBetween(from, to);
    const items = rows.map((r) => registerItem(r, now));
    return toJsonObject({
      from: from.toISOString(),
      to: to.toISOString(),
      counts: {
        open: items.filter((i) => isOpen(i.status as DsrStatus)).length,
        closed: items.filter((i) => !isOpen(i.status as DsrStatus)).length,
        overdue: items.filter((i) => i.internal === 'overdue' || i.statutory === 'overdue').length,
        missed: items.filter((i) => i.internal === 'missed' || i.statutory === 'missed').length,
      },
      requests: items,
      refusalsRecorded: ropa.map((e) => ({
        requestId: e.requestId,
        right: e.right,
        reason: e.reason,
        recordedAt: e.recordedAt.toISOString(),
      })),
    });
  }

  /**
   * Clock statistics of the requests received in [from, to), drills excluded, as they stood at `to` (or now,
   * if earlier): counts only, never identity (audit packs). A request closed after `to` counts as open.
   */
  async clockStatistics(from: Date, to: Date, now = new Date()): Promise<DsrClockStatistics> {
    const rows = (await this.repo.requestsBetween(from, to)).filter((r) => r.receivedAt >= from && r.receivedAt < to);
    return clockStatistics(rows, to < now ? to : now);
  }
}

function registerItem(r: DsrRequest, now: Date) {
  const c = clocks(clockInput(r), now);
  return {
    reference: r.reference,
    right: r.right,
    ground: r.ground,
    status: r.status,
    receivedAt: r.receivedAt.toISOString(),
    verifiedAt: r.verifiedAt?.toISOString() ?? null,
    separatedAt: r.separatedAt?.toISOString() ?? null,
    closedAt: r.closedAt?.toISOString() ?? null,
    internal: c.internal.state,
    statutory: c.statutory?.state ?? null,
    dueAt: c.internal.dueAt,
    statutoryDueAt: c.statutory?.dueAt ?? null,
    ...(c.statutory?.measure === 'separation' ? { separationElapsedMs: c.statutory.elapsedMs ?? null } : {}),
  };
}
