import { Injectable } from '@nestjs/common';
import { abilityFor } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { NotFoundError } from '../common/errors/app-error';
import { DocumentAcknowledgementsService } from '../documents/document-acknowledgements.service';
import { DsrRequestsService } from '../dsr/dsr-requests.service';
import { DsrTasksService } from '../dsr/dsr-tasks.service';
import { NotificationsService } from '../notifications/notifications.service';
import { EngagementRequestsService } from '../engagements/engagement-requests.service';
import { EngagementsService } from '../engagements/engagements.service';
import { RISK_REGISTERS } from '../risks/domain/risk-model';
import { RisksService } from '../risks/risks.service';
import { SweepPostureService } from '../sweeps/sweep-posture.service';
import { SweepsService } from '../sweeps/sweeps.service';
import type { SweepView } from '../sweeps/dto/sweep.dto';
import { complianceTimeZone } from '../common/time/zone';
import { DrillsService } from '../dsr/drills.service';
import { PacksService } from '../audit-packs/packs.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { CatalogService } from '../catalog/catalog.service';
import {
  auditorDashboard,
  managerDashboard,
  ownerDashboard,
  privacyDashboard,
  trendRows,
  lastMonths,
  monthsLowerBound,
  volumeByMonth,
  type TrendRow,
} from './dashboard.page';

/** Weeks the posture trend covers, this one included. */
export const TREND_WEEKS = 12;
/** Months the DSR volume chart covers, this one included. */
export const VOLUME_MONTHS = 12;

/**
 * The dashboards' reads (issue 19), read-only, from the other modules' services with the actor's own access —
 * the same calls the API routes make, so that every number on a dashboard is the API's.
 */
@Injectable()
export class DashboardsService {
  constructor(
    private readonly sweeps: SweepsService,
    private readonly posture: SweepPostureService,
    private readonly dsr: DsrRequestsService,
    private readonly risks: RisksService,
    private readonly engagements: EngagementsService,
    private readonly requests: EngagementRequestsService,
    private readonly trail: AuditTrailService,
    private readonly dsrTasks: DsrTasksService,
    private readonly acknowledgements: DocumentAcknowledgementsService,
    private readonly notifications: NotificationsService,
    private readonly drills: DrillsService,
    private readonly packs: PacksService,
    private readonly evidence: EvidenceQueriesService,
    private readonly catalog: CatalogService,
  ) {}

  /** The auditor's dashboard: their active engagements, their requests and the answers, the packs they may read. */
  async auditor(actor: UserActor, now = new Date()) {
    const [engagements, requests, packs] = await Promise.all([
      this.engagements.list(actor, { active: '1', limit: 50 }, now),
      this.requests.listRequests(actor, { limit: 20 }),
      this.packs.list(actor, { limit: 10 }),
    ]);
    // Evidence in scope: the items this auditor may read (their engagements' controls) dated in each period.
    const evidenceInPeriod = new Map<string, number>();
    for (const e of engagements.items)
      evidenceInPeriod.set(e.id, (await this.evidence.list(actor, { from: e.from, to: e.to, limit: 1 })).total);
    return auditorDashboard({ engagements, requests, packs, evidenceInPeriod, now });
  }

  /**
   * The privacy officer's dashboard: open requests by the time left on their sooner clock, identity checks
   * waiting, erasures scheduled, the last drill and the requests received per month (drills not counted).
   */
  async privacy(actor: UserActor, now = new Date()) {
    const [open, awaitingIdentity, drills, volume] = await Promise.all([
      this.dsr.list(actor, { open: true, limit: 200 }, now),
      this.total(this.dsr.list(actor, { status: 'received', limit: 1 }, now)),
      this.drills.listFor(actor, { limit: 1, offset: 0 }),
      this.dsrVolume(actor, now),
    ]);
    return privacyDashboard({ open, awaitingIdentity, lastDrill: drills.items[0] ?? null, volume });
  }

  /** Requests received per month over the last VOLUME_MONTHS months, from every request the actor may list. */
  async dsrVolume(actor: UserActor, now = new Date()) {
    const months = lastMonths(VOLUME_MONTHS, now, complianceTimeZone());
    const counted = await this.dsr.receivedByMonth(actor, monthsLowerBound(months), complianceTimeZone());
    return volumeByMonth(months, counted);
  }

  /**
   * A control owner's (or privacy officer's) own work: open sweep tasks (carried-over ones first), the evidence
   * of their controls going stale, their open DSR tasks, documents to acknowledge and unread notifications.
   */
  async owner(actor: UserActor, now = new Date()) {
    const [sweep, posture, dsrTasks, acknowledgements, unread, latestUnread] = await Promise.all([
      this.sweeps.mySweep(actor, now),
      this.posture.postureFor(actor, now),
      this.dsrTasks.listTasks(actor, { open: true, limit: 5 }),
      this.acknowledgements.mine(actor, { limit: 200, offset: 0 }),
      this.notifications.unreadCount(actor),
      this.notifications.list(actor, { unread: true, limit: 5 }),
    ]);
    return ownerDashboard({ actor, sweep, posture, dsrTasks, acknowledgements, unread, latestUnread });
  }

  /** The compliance manager's dashboard. */
  async manager(actor: UserActor, now = new Date()) {
    const sweep = await this.currentSweep(actor);
    const [posture, trend, dsr, risks, engagements, trail, exceptionTasks] = await Promise.all([
      this.posture.postureFor(actor, now),
      this.posture.postureTrendFor(actor, TREND_WEEKS, now),
      this.dsrClocks(actor, now),
      this.risksAboveAcceptable(actor),
      this.engagementCounts(actor, now),
      this.trail.verify(),
      sweep ? this.sweeps.taskCountsByControl(actor, sweep.week, 'exception') : [],
    ]);
    const exceptionsByFramework = await this.exceptionsByFramework(
      exceptionTasks,
      posture.map((p) => p.framework),
    );
    return {
      ...managerDashboard({ posture, trend, sweep, dsr, risks, trail, exceptionsByFramework }),
      exceptions: exceptionTasks.reduce((sum, c) => sum + c.tasks, 0),
      engagements,
    };
  }

  /** This week's tasks closed with an exception, counted under each framework their control is mapped to. */
  private async exceptionsByFramework(
    perControl: { controlKey: string; tasks: number }[],
    frameworks: string[],
  ): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (perControl.length === 0) return counts;
    const idOf = new Map(
      (await this.catalog.controlsByKeys(perControl.map((c) => c.controlKey))).map((c) => [c.key, c.id]),
    );
    for (const [framework, ids] of await this.catalog.controlIdsByFramework(frameworks)) {
      const mapped = new Set(ids);
      counts.set(
        framework,
        perControl.reduce((sum, c) => sum + (mapped.has(idOf.get(c.controlKey) ?? '') ? c.tasks : 0), 0),
      );
    }
    return counts;
  }

  /** The posture trend's rows for the CSV. */
  async postureTrendRows(actor: UserActor, now = new Date()): Promise<TrendRow[]> {
    return trendRows(await this.posture.postureTrendFor(actor, TREND_WEEKS, now));
  }

  /** This week's sweep (else the latest), or none when there is none the actor may read. */
  private async currentSweep(actor: UserActor): Promise<SweepView | null> {
    if (!abilityFor(actor).can('read', 'Sweep')) return null;
    return this.sweeps.current(actor).catch((e: unknown) => {
      if (e instanceof NotFoundError) return null;
      throw e;
    });
  }

  private async total(page: Promise<{ total: number }>): Promise<number> {
    return (await page).total;
  }

  private async dsrClocks(actor: UserActor, now: Date) {
    const [open, overdue] = await Promise.all([
      this.total(this.dsr.list(actor, { open: true, limit: 1 }, now)),
      this.total(this.dsr.list(actor, { open: true, overdue: true, limit: 1 }, now)),
    ]);
    return { open, overdue };
  }

  private risksAboveAcceptable(actor: UserActor) {
    return Promise.all(
      RISK_REGISTERS.map(async (register) => {
        const [alara, unacceptable] = await Promise.all(
          (['alara', 'unacceptable'] as const).map((residualLevel) =>
            this.total(this.risks.list(actor, { register, residualLevel, limit: 1 })),
          ),
        );
        return { register, alara, unacceptable };
      }),
    );
  }

  private async engagementCounts(actor: UserActor, now: Date) {
    const [active, requestsOpen] = await Promise.all([
      this.total(this.engagements.list(actor, { active: '1', limit: 1 }, now)),
      this.total(this.requests.listRequests(actor, { status: 'open', limit: 1 })),
    ]);
    return { active, requestsOpen };
  }
}
