import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import { ConflictError, FieldProblem, ValidationError } from '../common/errors/app-error';
import { factProblems, peakSeverity } from './domain/incident-clocks';
import { correctionText } from './domain/incident-corrections';
import { closingProblems, transitionProblem } from './domain/incident-model';
import { severityPolicy, type IncidentPolicy } from './domain/incident-policy';
import { CreateRiskDto } from '../risks/dto/risk.dto';
import { RisksService } from '../risks/risks.service';
import { ReviewDto, TimelineEntryDto, UpdateIncidentDto } from './dto/incident.dto';
import { IncidentLedger } from './incident-ledger';
import { IncidentAlertsService } from './incident-alerts.service';
import { IncidentPolicyService } from './incident-policy.service';
import { IncidentSeverityChange } from './incident-records.entity';
import { factsOf, type IncidentDetail } from './incident-views';
import type { Incident } from './incident.entity';
import { IncidentsRepository } from './incidents.repository';
import { IncidentsService, reportProblems } from './incidents.service';

const LIST_FIELDS = ['affectedSystems', 'products', 'customers'] as const;

/**
 * A field safety corrective action is taken on a medical device, so only a clinical_safety incident
 * records one: setting `fscaStartedAt`/`fscaClosedAt` on another incident is refused, and so is removing
 * clinical_safety from the categories while an FSCA stays recorded (`i` is the incident as changed).
 */
export function fscaProblems(
  i: Pick<Incident, 'clinicalSafety' | 'fscaStartedAt' | 'fscaClosedAt'>,
  dto: Pick<UpdateIncidentDto, 'fscaStartedAt' | 'fscaClosedAt' | 'categories'>,
  wasClinical: boolean,
): FieldProblem[] {
  if (i.clinicalSafety) return [];
  const problems: FieldProblem[] = [];
  for (const field of ['fscaStartedAt', 'fscaClosedAt'] as const)
    if (dto[field])
      problems.push({
        field,
        message: `${field} applies only to a clinical_safety incident (a field safety corrective action is on a medical device): add that category`,
      });
  if (dto.categories !== undefined && wasClinical && (i.fscaStartedAt || i.fscaClosedAt) && problems.length === 0)
    problems.push({
      field: 'categories',
      message:
        'categories must keep clinical_safety while a field safety corrective action is recorded: clear fscaStartedAt and fscaClosedAt first',
    });
  return problems;
}

/**
 * Changing an incident: its facts, severity (with who and why), status through the cycle (closing a SEV1
 * or SEV2 needs its review and every CAPA done or accepted), commander and linked risks; the timeline;
 * the post-incident review. Each change is one transaction with its timeline and audit-trail entries.
 */
@Injectable()
export class IncidentChangesService {
  constructor(
    private readonly repo: IncidentsRepository,
    private readonly ledger: IncidentLedger,
    private readonly policies: IncidentPolicyService,
    private readonly incidents: IncidentsService,
    private readonly alerts: IncidentAlertsService,
    private readonly risks: RisksService,
  ) {}

  async update(actor: UserActor, id: string, dto: UpdateIncidentDto): Promise<IncidentDetail> {
    const ability = abilityFor(actor);
    const policy = this.policies.policy();
    await this.ledger.transaction(async (m) => {
      const incident = await this.ledger.lock(ability, id, m);
      if (dto.version !== undefined && dto.version !== incident.version)
        throw new ConflictError(
          'incident.version_conflict',
          `The incident is at version ${incident.version}, not ${dto.version}: reload it and apply your change again.`,
        );
      const now = new Date();
      const before = { ...incident };
      const changed = await this.applyFacts(ability, incident, dto, now, m);
      const correction = correctionText(before, incident, changed);
      if (correction)
        await this.ledger.note(m, { incidentId: incident.id, kind: 'correction', text: correction, actor, at: now });
      if (dto.severity !== undefined && dto.severity !== incident.severity)
        changed.push(await this.changeSeverity(actor, incident, dto, policy, now, m));
      if (dto.status !== undefined && dto.status !== incident.status)
        changed.push(await this.changeStatus(actor, incident, dto.status, policy, now, m));
      if (changed.length === 0) return;
      await this.ledger.save(incident, m);
      await this.ledger.record(
        m,
        actor,
        'incident.update',
        incident,
        toJsonObject({ changed, status: incident.status }),
      );
    });
    return this.incidents.get(actor, id);
  }

  /** Sets the plain facts the DTO carries; checks them together; returns the names of what changed. */
  private async applyFacts(
    ability: AppAbility,
    i: Incident,
    dto: UpdateIncidentDto,
    now: Date,
    m: EntityManager,
  ): Promise<string[]> {
    const changed: string[] = [];
    const set = <K extends keyof Incident>(field: K, value: Incident[K]) => {
      if (JSON.stringify(value) === JSON.stringify(i[field])) return;
      i[field] = value;
      changed.push(field);
    };
    if (dto.title !== undefined) set('title', dto.title.trim());
    if (dto.description !== undefined) set('description', dto.description);
    for (const f of LIST_FIELDS) if (dto[f] !== undefined) set(f, dto[f]);
    const wasClinical = i.clinicalSafety;
    if (dto.categories !== undefined) {
      set('categories', [...new Set(dto.categories)]);
      i.personalData = i.categories.includes('personal_data_breach');
      i.clinicalSafety = i.categories.includes('clinical_safety');
    }
    const at = (v: string | null) => (v === null ? null : new Date(v));
    if (dto.awareAt !== undefined) set('awareAt', new Date(dto.awareAt));
    if (dto.fscaStartedAt !== undefined) set('fscaStartedAt', at(dto.fscaStartedAt));
    if (dto.fscaClosedAt !== undefined) set('fscaClosedAt', at(dto.fscaClosedAt));
    if (dto.adverseEventCategory !== undefined) set('adverseEventCategory', dto.adverseEventCategory);
    const problems = [...fscaProblems(i, dto, wasClinical), ...(await this.factsProblems(i, now, m))];
    if (dto.commanderUserId !== undefined) {
      await this.checkUser(dto.commanderUserId, 'commanderUserId', problems, m);
      set('commanderUserId', dto.commanderUserId);
    }
    if (dto.riskIds !== undefined) await this.checkRisks(ability, dto.riskIds, problems, m);
    if (problems.length) throw new ValidationError(problems);
    if (dto.riskIds !== undefined) {
      await this.repo.replaceRisks(i.id, [...new Set(dto.riskIds)], m);
      changed.push('riskIds');
    }
    return changed;
  }

  private async factsProblems(i: Incident, now: Date, m: EntityManager): Promise<FieldProblem[]> {
    const problems = reportProblems(i, now);
    if (i.fscaStartedAt && i.fscaStartedAt > now)
      problems.push({ field: 'fscaStartedAt', message: 'fscaStartedAt must not be in the future' });
    if (i.fscaClosedAt && (!i.fscaStartedAt || i.fscaClosedAt < i.fscaStartedAt))
      problems.push({ field: 'fscaClosedAt', message: 'fscaClosedAt must not be before fscaStartedAt' });
    // Notices and reports already recorded must still follow awareness (a moved awareAt may not pass them).
    const facts = factsOf(i, await this.repo.recordsOf([i.id], m));
    for (const p of factProblems(facts, now))
      if (p.field !== 'awareAt') problems.push({ field: 'awareAt', message: `awareAt would put ${p.field} before it` });
    return problems;
  }

  private async checkUser(id: string | null, field: string, problems: FieldProblem[], m: EntityManager): Promise<void> {
    if (id === null) return;
    const [user] = await m.query<{ active: boolean }[]>(`SELECT active FROM users WHERE id = $1`, [id]);
    if (!user?.active) problems.push({ field, message: `${field} must be an active user` });
  }

  /** Linked risks must exist and be readable by the caller (an unreadable one is named like a missing one). */
  private async checkRisks(
    ability: AppAbility,
    ids: string[],
    problems: FieldProblem[],
    m: EntityManager,
  ): Promise<void> {
    if (ids.length === 0) return;
    const rows = await m.query<Record<string, unknown>[]>(
      `SELECT id, register::text AS register, owner_user_id AS "ownerUserId", created_at AS "createdAt" FROM risks WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const readable = new Set(rows.filter((r) => ability.can('read', asSubject('Risk', r))).map((r) => r.id as string));
    ids.forEach((rid, n) => {
      if (!readable.has(rid)) problems.push({ field: `riskIds.${n}`, message: `riskIds.${n}: no such risk` });
    });
  }

  private async changeSeverity(
    actor: UserActor,
    i: Incident,
    dto: UpdateIncidentDto,
    policy: IncidentPolicy,
    now: Date,
    m: EntityManager,
  ): Promise<string> {
    const problems: FieldProblem[] = [];
    if (!severityPolicy(policy, dto.severity!))
      problems.push({
        field: 'severity',
        message: `severity must be one of ${policy.severities.map((s) => s.key).join(', ')}`,
      });
    if (!dto.severityReason?.trim())
      problems.push({ field: 'severityReason', message: 'severityReason is required to change the severity' });
    if (problems.length) throw new ValidationError(problems);
    const reason = dto.severityReason!.trim();
    await m.insert(IncidentSeverityChange, {
      incidentId: i.id,
      severity: dto.severity!,
      at: now,
      actor: actorRef(actor),
      reason,
    });
    await this.ledger.note(m, {
      incidentId: i.id,
      kind: 'severity_change',
      text: `${i.severity} → ${dto.severity}: ${reason}`,
      actor,
      at: now,
    });
    i.severity = dto.severity!;
    await this.alerts.announceIfEscalateAtOnce(i, policy, m);
    return 'severity';
  }

  private async changeStatus(
    actor: UserActor,
    i: Incident,
    to: Incident['status'],
    policy: IncidentPolicy,
    now: Date,
    m: EntityManager,
  ): Promise<string> {
    const wrong = transitionProblem(i.status, to);
    if (wrong) throw new ValidationError([{ field: 'status', message: wrong }]);
    if (to === 'closed') {
      const records = await this.repo.recordsOf([i.id], m);
      const peak = peakSeverity(
        { severities: [...(records.severities.get(i.id) ?? []), { severity: i.severity, at: now }] },
        policy,
      );
      const problems = closingProblems(
        { peakSeverity: peak, review: i.review, capas: records.capas.get(i.id) ?? [] },
        policy,
      );
      if (problems.length)
        throw new ValidationError(problems, problems.map((p) => p.message).join('; '), 'incident.cannot_close');
      i.closedAt = now;
    }
    // Moving on from detection acknowledges the incident, if nobody did so explicitly.
    if (i.acknowledgedAt === null) i.acknowledgedAt = now;
    await this.ledger.note(m, { incidentId: i.id, kind: 'status_change', text: `${i.status} → ${to}`, actor, at: now });
    i.status = to;
    return 'status';
  }

  /** Appends to the timeline; an acknowledgement or the first update to users answers its severity clock. */
  async addTimeline(actor: UserActor, id: string, dto: TimelineEntryDto): Promise<IncidentDetail> {
    const now = new Date();
    const at = dto.at ? new Date(dto.at) : now;
    if (at > now) throw new ValidationError([{ field: 'at', message: 'at must not be in the future' }]);
    await this.ledger.transaction(async (m) => {
      const i = await this.ledger.lock(abilityFor(actor), id, m);
      if (at < i.detectedAt)
        throw new ValidationError([{ field: 'at', message: 'at must not be before the incident was detected' }]);
      if (dto.kind === 'acknowledgement' && (!i.acknowledgedAt || at < i.acknowledgedAt)) i.acknowledgedAt = at;
      if (dto.kind === 'user_update' && (!i.firstUserUpdateAt || at < i.firstUserUpdateAt)) i.firstUserUpdateAt = at;
      await this.ledger.note(m, { incidentId: i.id, kind: dto.kind, text: dto.text, actor, at });
      await this.ledger.save(i, m);
      await this.ledger.record(
        m,
        actor,
        'incident.timeline',
        i,
        toJsonObject({ kind: dto.kind, at: at.toISOString() }),
      );
    });
    return this.incidents.get(actor, id);
  }

  /**
   * Post-production information (ISO 14971 clause 10): a new hazard (or security risk) raised from this
   * incident, added to its register and linked to the incident in one transaction, with a timeline entry.
   * The caller needs both the right to change the incident and to create that risk.
   */
  async raiseRisk(actor: UserActor, id: string, dto: CreateRiskDto): Promise<IncidentDetail> {
    await this.ledger.transaction(async (m) => {
      const i = await this.ledger.lock(abilityFor(actor), id, m);
      const riskId = await this.risks.createWithin(actor, dto, m);
      await this.repo.linkRisk(i.id, riskId, m);
      await this.ledger.note(m, {
        incidentId: i.id,
        kind: 'risk',
        text: `New ${dto.register === 'iso14971' ? 'hazard' : 'security risk'} ${dto.ref}: ${dto.title.trim()}`,
        actor,
        at: new Date(),
      });
      await this.ledger.save(i, m);
      await this.ledger.record(
        m,
        actor,
        'incident.risk_raised',
        i,
        toJsonObject({ riskId, register: dto.register, ref: dto.ref }),
      );
    });
    return this.incidents.get(actor, id);
  }

  /** The post-incident review (cause, what went well, what to change); a later one replaces it. */
  async review(actor: UserActor, id: string, dto: ReviewDto): Promise<IncidentDetail> {
    await this.ledger.transaction(async (m) => {
      const i = await this.ledger.lock(abilityFor(actor), id, m);
      const at = new Date();
      i.review = {
        cause: dto.cause.trim(),
        wentWell: dto.wentWell.trim(),
        toChange: dto.toChange.trim(),
        by: actorRef(actor),
        at: at.toISOString(),
      };
      await this.ledger.note(m, {
        incidentId: i.id,
        kind: 'review',
        text: `Post-incident review: ${i.review.cause}`,
        actor,
        at,
      });
      await this.ledger.save(i, m);
      await this.ledger.record(m, actor, 'incident.reviewed', i, toJsonObject({ at: at.toISOString() }));
    });
    return this.incidents.get(actor, id);
  }
}
