import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { toJsonObject, type JsonObject } from '../audit-trail/domain/audit-entry';
import { CatalogService } from '../catalog/catalog.service';
import type { LiveControl } from '../catalog/domain/control-refs';
import { EvidenceService } from '../evidence/evidence.service';
import { UsersService } from '../identity/users.service';
import { RiskReviewsService } from '../risks/risk-reviews.service';
import { DrillsService } from '../dsr/drills.service';
import { DsrClockService } from '../dsr/dsr-clocks.service';
import { IncidentRegisterService } from '../incidents/incident-register.service';
import { DocumentEvidenceService } from '../documents/document-evidence.service';
import { KeyClocksService } from '../keys/key-clocks.service';
import { ReleaseRegisterService } from '../releases/release-register.service';
import { FindingsService } from '../findings/findings.service';
import { COLLECTOR_REQUIREMENTS, collectorTargets, RequirementMappings } from './domain/collector-targets';
import { endOfDay, startOfDay } from '../common/time/days';

export interface CollectorRun {
  collector: string;
  evidenceId: string | null;
  controls: string[];
  error?: string;
}

export interface CollectorContext {
  week: string;
  periodStart: string;
  periodEnd: string;
  now: Date;
  /** The previous week's sweep summary, when there is one. */
  previousSummary: JsonObject | null;
  /** Posture per framework at opening time. */
  posture: () => Promise<JsonObject>;
}

type Collector = (ctx: CollectorContext) => Promise<JsonObject>;

/**
 * A collector whose snapshot differs per control: one evidence item per target control. `serves` names the
 * controls (keys) it is evidence of beyond those naming it in `collector:`; `snapshot` gives a control's data
 * (`named`: the control names the collector).
 */
type PerControlCollector = (ctx: CollectorContext) => Promise<{
  serves: string[];
  snapshot: (controlKey: string, named: boolean) => JsonObject;
}>;

/**
 * Automated collectors: each snapshots what the system can see by itself and the snapshot becomes
 * evidence on every control that names the collector in controls/*.yaml, and on every control mapped to a
 * requirement the collector serves (COLLECTOR_REQUIREMENTS: `risk-review` → ISO 14971 clause 10 and SOC 2
 * CC3.x). A collector that fails does not stop the sweep: the failure is reported and the owners' tasks stay open.
 */
@Injectable()
export class CollectorsService {
  private readonly log = new Logger('Collectors');
  private readonly registry: Record<string, Collector>;
  private readonly perControl: Record<string, PerControlCollector>;

  constructor(
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceService,
    private readonly risks: RiskReviewsService,
    private readonly dsrClocks: DsrClockService,
    private readonly drills: DrillsService,
    private readonly incidents: IncidentRegisterService,
    private readonly documents: DocumentEvidenceService,
    private readonly keys: KeyClocksService,
    private readonly releases: ReleaseRegisterService,
    private readonly findings: FindingsService,
  ) {
    this.registry = {
      // Who has access and how: users, roles, departments, last sign-in, API tokens with their age.
      'access-review': async (ctx) => toJsonObject({ week: ctx.week, ...(await this.users.accessReview(ctx.now)) }),
      // Who the users are (roster for joiners/leavers checks).
      'user-roster': async (ctx) => {
        const { users } = await this.users.accessReview(ctx.now);
        return toJsonObject({
          week: ctx.week,
          users: users.map(({ id, name, role, department, active }) => ({ id, name, role, department, active })),
        });
      },
      // The audit trail's verification result (chain and signed checkpoints).
      'audit-trail-verify': async (ctx) => ({
        week: ctx.week,
        verification: toJsonObject(await this.trail.verify()),
      }),
      // Catalog coverage and evidence freshness per framework.
      posture: async (ctx) => ({
        week: ctx.week,
        coverage: (await this.catalog.coverageAll()).map((c) => toJsonObject(c)),
        posture: await ctx.posture(),
      }),
      // Last week's sweep results.
      'sweep-summary': async (ctx) => ({ week: ctx.week, previous: ctx.previousSummary }),
      // The latest quarterly risk review per register (notes, reviewer, frozen snapshot) and the registers' counts now.
      'risk-review': async (ctx) => toJsonObject({ week: ctx.week, ...(await this.risks.reviewEvidence()) }),
      // The DSR register of the week without subject identity: clocks, outcomes, refusals recorded in the ROPA.
      'dsr-register': async (ctx) => ({
        week: ctx.week,
        ...(await this.dsrClocks.registerSnapshot(startOfDay(ctx.periodStart), endOfDay(ctx.periodEnd), ctx.now)),
      }),
      // The incident register of the week without names: counts, open incidents with their clocks, clocks
      // met or missed, CAPAs open and overdue, incidents closed with their review.
      'incident-register': async (ctx) => ({
        week: ctx.week,
        ...(await this.incidents.registerSnapshot(startOfDay(ctx.periodStart), endOfDay(ctx.periodEnd), ctx.now)),
      }),
      'key-register': (ctx) => this.keyRegister(ctx),
      // The releases built in the week with their gates, signatures and decision (ENG-06, release gates).
      'release-register': async (ctx) => ({
        week: ctx.week,
        ...(await this.releases.registerSnapshot(startOfDay(ctx.periodStart), endOfDay(ctx.periodEnd), ctx.now)),
      }),
      // The findings register: findings open during the week with their fix deadline and risk acceptance (ENG-04).
      'finding-register': async (ctx) => ({
        week: ctx.week,
        ...(await this.findings.registerSnapshot(startOfDay(ctx.periodStart), endOfDay(ctx.periodEnd), ctx.now)),
      }),
      // The latest DSR drill's verdict (each drill also stores its full report and PDF as evidence).
      'dsr-drill': async (ctx) => {
        const latest = await this.drills.latest();
        return { week: ctx.week, latest: latest ? toJsonObject(latest) : null };
      },
    };
    this.perControl = { 'policy-status': (ctx) => this.policyStatus(ctx) };
  }

  /**
   * The controlled documents in force now: the version's approval signatures (signer, meaning, time,
   * validity against the content's hash) and the acknowledgement roster (counts, each person's state).
   * Each control a document supports gets the documents supporting it; a control naming the collector
   * (GOV-02, the policy set) gets every document in force.
   */
  private policyStatus: PerControlCollector = async (ctx) => {
    const documents = await this.documents.policyStatus(ctx.now);
    return {
      serves: documents.flatMap((d) => d.controls),
      snapshot: (controlKey, named) =>
        toJsonObject({
          week: ctx.week,
          control: controlKey,
          at: ctx.now.toISOString(),
          documents: named ? documents : documents.filter((d) => d.controls.includes(controlKey)),
        }),
    };
  };

  /**
   * The keys and credentials register (never a value): each key's interval, owner, last rotation and rotation
   * clock, and the rotations recorded in the week (ACC-04).
   */
  private async keyRegister(ctx: CollectorContext): Promise<JsonObject> {
    const period = [startOfDay(ctx.periodStart), endOfDay(ctx.periodEnd)] as const;
    return { week: ctx.week, ...(await this.keys.registerSnapshot(period[0], period[1], ctx.now)) };
  }

  names(): string[] {
    return [...Object.keys(this.registry), ...Object.keys(this.perControl)];
  }

  /** Runs every registered collector that has a target among the live controls (collectorTargets); one snapshot per collector. */
  async runAll(
    controls: LiveControl[],
    ctx: CollectorContext,
    actor: string,
    m: EntityManager,
  ): Promise<CollectorRun[]> {
    const runs: CollectorRun[] = [];
    const mappings: RequirementMappings = Object.keys(COLLECTOR_REQUIREMENTS).length
      ? await this.catalog.postureInputs()
      : [];
    for (const [name, collect] of Object.entries(this.registry)) {
      const targets = collectorTargets(name, controls, mappings);
      if (targets.length === 0) continue;
      try {
        const data = await collect(ctx);
        const { id } = await this.evidence.recordSnapshot(
          {
            actor,
            title: `${name} snapshot, ${ctx.week}`,
            controlIds: targets.map((c) => c.id),
            data,
            source: `collector:${name}`,
            evidenceDate: ctx.now,
            periodStart: ctx.periodStart,
            periodEnd: ctx.periodEnd,
          },
          m,
        );
        runs.push({ collector: name, evidenceId: id, controls: targets.map((c) => c.key) });
      } catch (e) {
        this.log.error(`collector ${name} failed: ${(e as Error).message}`);
        runs.push({
          collector: name,
          evidenceId: null,
          controls: targets.map((c) => c.key),
          error: (e as Error).message,
        });
      }
    }
    for (const [name, collect] of Object.entries(this.perControl))
      runs.push(...(await this.runPerControl(name, collect, controls, ctx, actor, m)));
    return runs;
  }

  /** One snapshot per target control of a per-control collector (nothing when it has no target). */
  private async runPerControl(
    name: string,
    collect: PerControlCollector,
    controls: LiveControl[],
    ctx: CollectorContext,
    actor: string,
    m: EntityManager,
  ): Promise<CollectorRun[]> {
    const runs: CollectorRun[] = [];
    let result: Awaited<ReturnType<PerControlCollector>>;
    try {
      result = await collect(ctx);
    } catch (e) {
      const named = collectorTargets(name, controls, []);
      if (named.length === 0) return runs;
      this.log.error(`collector ${name} failed: ${(e as Error).message}`);
      return [{ collector: name, evidenceId: null, controls: named.map((c) => c.key), error: (e as Error).message }];
    }
    const served = new Set(result.serves);
    for (const c of controls) {
      const named = c.collector === name;
      if (!named && !served.has(c.key)) continue;
      const { id } = await this.evidence.recordSnapshot(
        {
          actor,
          title: `${name} snapshot, ${ctx.week}, ${c.key}`,
          controlIds: [c.id],
          data: result.snapshot(c.key, named),
          source: `collector:${name}`,
          evidenceDate: ctx.now,
          periodStart: ctx.periodStart,
          periodEnd: ctx.periodEnd,
        },
        m,
      );
      runs.push({ collector: name, evidenceId: id, controls: [c.key] });
    }
    return runs;
  }
}
