import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { abilityFor, INCIDENT_IDENTITY_FIELDS, type AppAbility } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import { ConflictError, FieldProblem, ValidationError } from '../common/errors/app-error';
import { Page, pageOf } from '../common/http/pagination';
import { severityPolicy } from './domain/incident-policy';
import { IncidentQueryDto, ReportIncidentDto } from './dto/incident.dto';
import { IncidentAlertsService } from './incident-alerts.service';
import { IncidentPolicyService } from './incident-policy.service';
import { IncidentLedger } from './incident-ledger';
import { IncidentSeverityChange, type IncidentTimelineEntry } from './incident-records.entity';
import { detailView, listItem, type IncidentDetail, type IncidentListItem, type ViewContext } from './incident-views';
import type { Incident } from './incident.entity';
import { IncidentsRepository, type IncidentRecords } from './incidents.repository';

export type { IncidentRecords } from './incidents.repository';

/** Page size when reading every incident of an audit pack's period. */
const PERIOD_PAGE = 200;

/** Which facts of an incident a person may set, checked the same way on report and on change. */
export function reportProblems(
  f: { detectedAt: Date; awareAt: Date; categories: string[]; adverseEventCategory?: string | null },
  now: Date,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (f.detectedAt > now) problems.push({ field: 'detectedAt', message: 'detectedAt must not be in the future' });
  if (f.awareAt > now) problems.push({ field: 'awareAt', message: 'awareAt must not be in the future' });
  if (f.awareAt < f.detectedAt)
    problems.push({ field: 'awareAt', message: 'awareAt must not be before detectedAt (awareness follows detection)' });
  if (f.adverseEventCategory && !f.categories.includes('clinical_safety'))
    problems.push({
      field: 'adverseEventCategory',
      message: 'adverseEventCategory applies only to a clinical_safety incident: add that category',
    });
  return problems;
}

/**
 * The incident register: reporting (from the form, or from monitoring with an API token, idempotent on
 * the alert's key), the list with every clock, and one incident in full. Changes, notices, assessments,
 * CAPAs and reviews are in IncidentActionsService.
 */
@Injectable()
export class IncidentsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: IncidentsRepository,
    private readonly ledger: IncidentLedger,
    private readonly policies: IncidentPolicyService,
    private readonly alerts: IncidentAlertsService,
  ) {}

  /** Reports an incident; with an external key already used, the incident it created (`created: false`). */
  async report(
    actor: UserActor,
    dto: ReportIncidentDto,
    source: Incident['source'],
  ): Promise<{ incident: IncidentDetail; created: boolean }> {
    const policy = this.policies.policy();
    const now = new Date();
    const detectedAt = dto.detectedAt ? new Date(dto.detectedAt) : now;
    const awareAt = dto.awareAt ? new Date(dto.awareAt) : detectedAt;
    const categories = [...new Set(dto.categories)];
    const problems = reportProblems(
      { detectedAt, awareAt, categories, adverseEventCategory: dto.adverseEventCategory },
      now,
    );
    if (!severityPolicy(policy, dto.severity))
      problems.push({
        field: 'severity',
        message: `severity must be one of ${policy.severities.map((s) => s.key).join(', ')} (controls/incident-policy.yaml)`,
      });
    if (problems.length) throw new ValidationError(problems);
    const ability = abilityFor(actor);
    const row: Partial<Incident> = {
      externalKey: dto.externalKey ?? null,
      source,
      title: dto.title.trim(),
      description: dto.description,
      status: 'detect',
      severity: dto.severity,
      categories,
      personalData: categories.includes('personal_data_breach'),
      clinicalSafety: categories.includes('clinical_safety'),
      detectedAt,
      awareAt,
      reporterUserId: actor.id,
      reporterRole: actor.role,
      affectedSystems: dto.affectedSystems ?? [],
      products: dto.products ?? [],
      customers: dto.customers ?? [],
      adverseEventCategory: dto.adverseEventCategory ?? null,
    };
    const id = await this.ds.transaction(async (m) => {
      const inserted = await this.repo.insertOnce(row, m);
      if (!inserted) return null;
      await this.recordReport(actor, inserted, now, m);
      await this.alerts.announceIfEscalateAtOnce(inserted, policy, m);
      return inserted.id;
    });
    if (id) return { incident: await this.get(actor, id), created: true };
    return { incident: await this.replay(actor, ability, dto.externalKey!), created: false };
  }

  /** A retried alert: the incident its key created, when the caller may read it; else a 409 naming nothing. */
  private async replay(actor: UserActor, ability: AppAbility, key: string): Promise<IncidentDetail> {
    const existing = await this.repo.findByExternalKey(key);
    if (existing && ability.can('read', asSubject('Incident', await this.ledger.asRuleSubject(existing))))
      return this.get(actor, existing.id);
    throw new ConflictError('incident.external_key_taken', 'This externalKey is already used; choose another.');
  }

  private async recordReport(actor: UserActor, i: Incident, now: Date, m: EntityManager): Promise<void> {
    await m.insert(IncidentSeverityChange, {
      incidentId: i.id,
      severity: i.severity,
      at: now,
      actor: actorRef(actor),
      reason: 'as reported',
    });
    const via = i.source === 'api' ? 'by monitoring (API)' : 'with the report form';
    await this.ledger.note(m, {
      incidentId: i.id,
      kind: 'status_change',
      text: `Reported ${via} as ${i.severity} (${i.categories.join(', ')})`,
      actor,
      at: now,
    });
    await this.ledger.record(
      m,
      actor,
      'incident.report',
      i,
      toJsonObject({
        severity: i.severity,
        categories: i.categories,
        source: i.source,
        awareAt: i.awareAt.toISOString(),
      }),
    );
  }

  async list(actor: UserActor, query: IncidentQueryDto): Promise<Page<IncidentListItem>> {
    const page = pageOf(query);
    const ability = abilityFor(actor);
    const { rows, total } = await this.repo.listVisible(
      ability,
      {
        status: query.status,
        open: query.open === '1' || query.open === 'true',
        severity: query.severity,
        category: query.category,
        q: query.q?.trim() || undefined,
      },
      page,
    );
    const records = await this.repo.recordsOf(rows.map((r) => r.id));
    const ctx = await this.context(ability, rows);
    return { items: rows.map((r) => listItem(r, records, ctx(r))), total, ...page };
  }

  /**
   * Every incident the ability may read that the company became aware of in [from, to), oldest awareness
   * first, with its records and its status changes (timeline `status_change` entries, to state each status as
   * of a moment) — the audit pack's incidents section; rows only, no names are looked up.
   */
  async awareBetween(
    ability: AppAbility,
    from: Date,
    to: Date,
  ): Promise<{
    incidents: Incident[];
    records: IncidentRecords;
    statusChanges: Map<string, IncidentTimelineEntry[]>;
  }> {
    const incidents: Incident[] = [];
    for (let offset = 0; ; offset += PERIOD_PAGE) {
      const { rows } = await this.repo.listVisible(
        ability,
        { awareFrom: from, awareTo: to },
        { limit: PERIOD_PAGE, offset },
      );
      incidents.push(...rows);
      if (rows.length < PERIOD_PAGE) break;
    }
    incidents.reverse(); // the list is newest awareness first
    const ids = incidents.map((i) => i.id);
    const [records, statusChanges] = await Promise.all([this.repo.recordsOf(ids), this.repo.statusChangesOf(ids)]);
    return { incidents, records, statusChanges };
  }

  /** One incident in full, as the caller may read it (404 otherwise). */
  async get(actor: UserActor, id: string): Promise<IncidentDetail> {
    const ability = abilityFor(actor);
    const incident = await this.ledger.readable(ability, id);
    const [records, timeline, risks] = await Promise.all([
      this.repo.recordsOf([incident.id]),
      this.repo.timelineOf(incident.id),
      this.repo.risksOf(incident.id),
    ]);
    const ctx = await this.context(
      ability,
      [incident],
      [...[...records.capas.values()].flat().map((c) => c.ownerUserId)],
    );
    return detailView(incident, records, { timeline, risks }, ctx(incident));
  }

  /**
   * The policy, now, people's names, and per incident whether the caller reads identities on it (every one
   * of `INCIDENT_IDENTITY_FIELDS`: reporter, commander, and the people who acted, own or reviewed) and its
   * breach assessment (`read BreachAssessment`, on the incident as the notification draft checks it).
   */
  private async context(
    ability: AppAbility,
    rows: Incident[],
    more: string[] = [],
  ): Promise<(i: Incident) => ViewContext> {
    const ids = [...new Set([...rows.flatMap((r) => [r.reporterUserId, r.commanderUserId ?? '']), ...more])].filter(
      Boolean,
    );
    const names = new Map<string, string>(
      ids.length
        ? (
            await this.ds.query<{ id: string; name: string }[]>(
              `SELECT id, name FROM users WHERE id = ANY($1::uuid[])`,
              [ids],
            )
          ).map((u) => [u.id, u.name])
        : [],
    );
    const policy = this.policies.policy();
    const now = new Date();
    return (i) => {
      const incident = asSubject('Incident', i);
      return {
        policy,
        now,
        names,
        identities: INCIDENT_IDENTITY_FIELDS.every((f) => ability.can('read', incident, f)),
        assessment: ability.can('read', asSubject('BreachAssessment', i)),
      };
    };
  }
}
