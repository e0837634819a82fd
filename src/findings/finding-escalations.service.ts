import { Inject, Injectable } from '@nestjs/common';
import { formatLocalTime } from '../common/time/calendar';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import { findingClock } from '../releases/domain/secops-clocks';
import { ReleaseGatesService } from '../releases/release-gates.service';
import { acceptanceHolds } from './domain/finding-model';
import type { Finding } from './finding.entity';
import { FindingsRepository } from './findings.repository';
import { dayOf } from '../common/time/days';

/** What one escalate() call raised (notifications newly created; re-runs raise none). */
export interface EscalationReport {
  dueSoon: number;
  overdue: number;
}

/**
 * Overdue findings escalate (issue 18): a finding whose fix is due soon notifies its owner (or, without
 * one, the control owners of its department); an overdue one notifies every compliance manager. Once each:
 * the notification's dedupe key is the finding and the step, so a re-run (or a second instance) sends
 * nothing new. Accepted findings escalate only once their acceptance has expired.
 */
@Injectable()
export class FindingEscalationsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: FindingsRepository,
    private readonly gates: ReleaseGatesService,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
  ) {}

  async escalate(now: Date = new Date()): Promise<EscalationReport> {
    const zone = this.config.timeZone;
    const sla = this.gates.policy().findingSlaDays;
    const rows = await this.repo.running();
    const accepted = await this.repo.acceptancesOf(rows.filter((f) => f.status === 'accepted').map((f) => f.id));
    const report: EscalationReport = { dueSoon: 0, overdue: 0 };
    let managers: string[] | null = null;
    for (const f of rows) {
      const newest = accepted.find((a) => a.findingId === f.id);
      if (f.status === 'accepted' && newest && acceptanceHolds(newest.expiresOn, dayOf(now, zone))) continue;
      const clock = findingClock(f.openedAt, sla[f.severity], now, zone, null);
      const due = `${formatLocalTime(clock.dueAt, zone)} (${zone})`;
      if (clock.state === 'due_soon') {
        for (const to of await this.owners(f))
          if (await this.notify(to, f, 'due-soon', `Finding due ${due}: ${f.title}`, 'finding.due_soon'))
            report.dueSoon++;
      } else if (clock.state === 'overdue') {
        managers ??= await this.users.activeUserIds({ role: 'compliance_manager' });
        for (const to of managers)
          if (await this.notify(to, f, 'overdue', `Finding overdue since ${due}: ${f.title}`, 'finding.overdue'))
            report.overdue++;
      }
    }
    return report;
  }

  private async owners(f: Finding): Promise<string[]> {
    if (f.ownerUserId) return [f.ownerUserId];
    return this.users.activeUserIds({ role: 'control_owner', departmentKey: f.department });
  }

  private notify(to: string, f: Finding, step: string, subject: string, kind: string): Promise<boolean> {
    return this.notifications.enqueue({
      recipientUserId: to,
      kind,
      dedupeKey: `finding:${f.id}:${step}:${to}`,
      subject: subject.slice(0, 200),
      body: `${f.severity} finding in ${f.product} (${f.department}), opened ${f.openedAt.toISOString()}.`,
      link: `/findings/${f.id}`,
    });
  }
}
