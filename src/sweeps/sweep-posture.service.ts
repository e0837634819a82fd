import { Inject, Injectable } from '@nestjs/common';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import {
  addDays,
  formatWeek,
  isoWeekOfDate,
  localDate,
  parseDate,
  weekMonday,
  zonedInstant,
} from '../common/time/calendar';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DocumentReviewsService } from '../documents/document-reviews.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { freshness, type Freshness } from './domain/cadence';
import { frameworkPosture, FrameworkPosture, PostureControl } from './domain/posture';
import { SweepsRepository } from './sweeps.repository';

/** One week of the posture trend: requirements applicable and fresh per framework at the week's end. */
export interface PostureTrendWeek {
  week: string;
  asOf: string;
  items: { framework: string; applicable: number; fresh: number }[];
}

/** Freshness and posture from the newest evidence per control, and the sweeps of a period for audit packs. */
@Injectable()
export class SweepPostureService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: SweepsRepository,
    private readonly catalog: CatalogService,
    private readonly evidenceQueries: EvidenceQueriesService,
    private readonly reviews: DocumentReviewsService,
  ) {}

  /** Freshness of every live control now, from its cadence and newest evidence. */
  async controlFreshness(now = new Date()): Promise<Map<string, PostureControl>> {
    const controls = await this.catalog.liveControls();
    const newest = await this.evidenceQueries.newestByControl(controls.map((c) => c.id));
    const tz = this.config.timeZone;
    return new Map(
      controls.map((c) => {
        const of = newest.get(c.id);
        const f: Freshness = freshness(c, of ? localDate(of, tz) : null, now, tz);
        return [
          c.id,
          { id: c.id, key: c.key, ownerDepartment: c.ownerDepartment, ownerUserId: c.ownerUserId, freshness: f },
        ];
      }),
    );
  }

  /**
   * For audit packs: the sweeps of the ISO weeks touching the days from..to (TZ_COMPLIANCE), counting only the
   * given controls' tasks — per week tasks, completed, late and exceptions, and the irregular tasks
   * (exception, completed late, or missed: still open after due at the period's end or now, whichever is first).
   */
  async periodReport(
    from: string,
    to: string,
    controlIds: string[],
    now = new Date(),
  ): Promise<{
    weeks: { week: string; tasks: number; completed: number; late: number; exceptions: number }[];
    irregular: { week: string; control: string; kind: 'exception' | 'late' | 'missed'; note: string | null }[];
  }> {
    const tz = this.config.timeZone;
    const fromWeek = formatWeek(isoWeekOfDate(parseDate(from)));
    const toWeek = formatWeek(isoWeekOfDate(parseDate(to)));
    const end = zonedInstant(addDays(parseDate(to), 1), 0, 0, tz);
    const asOf = end < now ? end : now;
    const [weeks, tasks] = await Promise.all([
      this.repo.weekStats(fromWeek, toWeek, controlIds, asOf),
      this.repo.irregularTasks(fromWeek, toWeek, controlIds, asOf),
    ]);
    return {
      weeks,
      irregular: tasks.map((t) => ({
        week: t.week,
        control: t.controlKey,
        kind: t.status === 'exception' ? 'exception' : t.status === 'open' ? 'missed' : 'late',
        note: t.note,
      })),
    };
  }

  /** Freshness of every live control as it stood at `at` (evidence dated at or after it not counted), by control id. */
  async freshnessAt(at: Date): Promise<Map<string, Freshness>> {
    const controls = await this.catalog.liveControls();
    const newest = await this.evidenceQueries.newestByControl(
      controls.map((c) => c.id),
      at,
    );
    const tz = this.config.timeZone;
    return new Map(
      controls.map((c) => [c.id, freshness(c, newest.has(c.id) ? localDate(newest.get(c.id)!, tz) : null, at, tz)]),
    );
  }

  /**
   * Posture of the frameworks the actor may read it for (an auditor: those in scope of an engagement), with
   * the overdue document reviews of documents the actor may read.
   */
  async postureFor(actor: UserActor, now = new Date()): Promise<FrameworkPosture[]> {
    const ability = abilityFor(actor);
    return (await this.posture(now, ability)).filter((p) =>
      ability.can('read', asSubject('Posture', { framework: p.framework })),
    );
  }

  /**
   * Posture per framework at the end of each of the last `weeks` ISO weeks (TZ_COMPLIANCE), oldest first; the
   * current week as it stands at `now`, so its numbers equal `postureFor`. Each week counts the evidence
   * collected before its end, against today's catalog (live controls and mappings). Only the frameworks the
   * actor may read posture for.
   */
  async postureTrendFor(actor: UserActor, weeks = 12, now = new Date()): Promise<PostureTrendWeek[]> {
    const ability = abilityFor(actor);
    const tz = this.config.timeZone;
    const inputs = (await this.catalog.postureInputs()).filter((f) =>
      ability.can('read', asSubject('Posture', { framework: f.framework })),
    );
    const thisMonday = weekMonday(isoWeekOfDate(localDate(now, tz)));
    const trend: PostureTrendWeek[] = [];
    for (let back = weeks - 1; back >= 0; back--) {
      const monday = addDays(thisMonday, -7 * back);
      const end = zonedInstant(addDays(monday, 7), 0, 0, tz);
      const asOf = end < now ? end : now;
      const freshnessOf = back === 0 ? await this.controlFreshness(now) : await this.postureControlsAt(asOf);
      trend.push({
        week: formatWeek(isoWeekOfDate(monday)),
        asOf: asOf.toISOString(),
        items: inputs.map((f) => {
          const p = frameworkPosture(f.framework, f.requirements, freshnessOf);
          return { framework: p.framework, applicable: p.applicable, fresh: p.fresh };
        }),
      });
    }
    return trend;
  }

  private async postureControlsAt(at: Date): Promise<Map<string, PostureControl>> {
    const freshnessOf = await this.freshnessAt(at);
    return new Map(
      [...freshnessOf].map(([id, f]) => [id, { id, key: id, ownerDepartment: '', ownerUserId: null, freshness: f }]),
    );
  }

  /** Posture of every framework; the overdue reviews of every document, or of those `ability` may read. */
  async posture(now = new Date(), ability?: AppAbility): Promise<FrameworkPosture[]> {
    const [inputs, controls, reviews] = await Promise.all([
      this.catalog.postureInputs(),
      this.controlFreshness(now),
      this.reviews.overdue(now, ability),
    ]);
    return inputs.map((f) => frameworkPosture(f.framework, f.requirements, controls, reviews));
  }
}
