import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import { ForbiddenError, RuleViolationError, ValidationError, type FieldProblem } from '../common/errors/app-error';
import { type Page, pageOf } from '../common/http/pagination';
import { actorRef, systemActor, type Actor, type ActorEngagement, type UserActor } from '../authz/actor';
import { ActorScopes, type EngagementScopeSource } from '../identity/actor-scopes';
import { UsersService } from '../identity/users.service';
import { checkEngagement, engagementState } from './domain/engagement-rules';
import { CreateEngagementDto, EngagementQueryDto, EngagementView } from './dto/engagement.dto';
import type { Engagement } from './engagement.entity';
import { EngagementRequestsService } from './engagement-requests.service';
import { EngagementsRepository } from './engagements.repository';
import { dayOf, endOfDay } from '../common/time/days';
import { formatLocalTime } from '../common/time/calendar';

/**
 * Auditor engagements: a compliance manager opens one (frameworks, audit period, expiry) for a user with
 * role auditor, or revokes it; inside an active one the auditor reads what the rules in the ability factory
 * allow and leaves requests on requirements, which compliance managers answer (EngagementRequestsService).
 * Every change is one audit-trail entry in the same transaction. This service is also where identity gets an
 * auditor's active engagements when it builds the actor (registered as its EngagementScopeSource at start).
 */
@Injectable()
export class EngagementsService implements EngagementScopeSource, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: EngagementsRepository,
    private readonly catalog: CatalogService,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
    private readonly scopes: ActorScopes,
    private readonly requests: EngagementRequestsService,
  ) {}

  onModuleInit(): void {
    this.scopes.register(this);
  }

  // ---- the actor's scope -------------------------------------------------------------------------

  /** Engagements active at `now` (not revoked, `expires_at > now`), with the controls their frameworks map to. */
  async activeEngagementsOf(userId: string, now: Date): Promise<ActorEngagement[]> {
    const rows = await this.repo.activeOf(userId, now);
    if (rows.length === 0) return [];
    // One catalog query for every framework in scope, on this per-request path.
    const byFramework = await this.catalog.controlIdsByFramework([...new Set(rows.flatMap((e) => e.frameworks))]);
    return rows.map((e) => ({
      id: e.id,
      frameworks: [...e.frameworks],
      from: e.periodFrom,
      to: e.periodTo,
      expiresAt: e.expiresAt,
      controlIds: [...new Set(e.frameworks.flatMap((f) => byFramework.get(f) ?? []))],
    }));
  }

  // ---- engagements -------------------------------------------------------------------------------

  async open(actor: Actor, dto: CreateEngagementDto, now = new Date()): Promise<EngagementView> {
    if (!abilityFor(actor).can('create', 'Engagement')) throw new ForbiddenError();
    const expiresAt = new Date(dto.expiresAt);
    const frameworks = [...dto.frameworks];
    const problems: FieldProblem[] = checkEngagement({ frameworks, from: dto.from, to: dto.to, expiresAt }, now);
    const known = new Set((await this.catalog.listFrameworks()).map((f) => f.key));
    const unknown = frameworks.filter((k) => !known.has(k));
    if (unknown.length) problems.push({ field: 'frameworks', message: `no such framework: ${unknown.join(', ')}` });
    const auditor = await this.users.findActive(dto.auditorUserId);
    if (!auditor || auditor.role !== 'auditor')
      problems.push({ field: 'auditorUserId', message: 'must be an active user with role auditor' });
    if (problems.length) throw new ValidationError(problems);
    const row = await this.insert(actor, {
      auditorUserId: dto.auditorUserId,
      frameworks,
      from: dto.from,
      to: dto.to,
      expiresAt,
    });
    return (await this.views([row], now))[0];
  }

  async list(actor: UserActor, query: EngagementQueryDto, now = new Date()): Promise<Page<EngagementView>> {
    const page = pageOf(query);
    const active = query.active === '1' || query.active === 'true';
    const { rows, total } = await this.repo.listVisible(abilityFor(actor), {
      ...page,
      activeAt: active ? now : undefined,
    });
    return { items: await this.views(rows, now), total, ...page };
  }

  async get(actor: UserActor, id: string, now = new Date()): Promise<EngagementView> {
    return (await this.views([await this.readableEngagement(actor, id)], now))[0];
  }

  /** An engagement the actor may read that is active now (the portal's browse pages); 422 when it has ended. */
  async activeScope(actor: UserActor, id: string, now = new Date()): Promise<EngagementView> {
    const view = (await this.views([await this.readableEngagement(actor, id)], now))[0];
    if (view.state !== 'active')
      throw new RuleViolationError(
        'engagement.inactive',
        `This engagement is ${view.state}: its scope can no longer be browsed.`,
      );
    return view;
  }

  /** Active users with role auditor, by name (whom an engagement can be opened for). */
  async auditors(): Promise<{ id: string; name: string }[]> {
    const names = await this.users.namesByIds(await this.users.activeUserIds({ role: 'auditor' }));
    return [...names.entries()].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Ends an engagement now; the auditor's next request carries it no more. */
  async revoke(actor: UserActor, id: string, now = new Date()): Promise<EngagementView> {
    await this.readableEngagement(actor, id);
    const row = await this.ds.transaction(async (m) => {
      const e = (await this.repo.lock(id, m))!;
      if (!abilityFor(actor).can('update', asSubject('Engagement', e)))
        throw new ForbiddenError('You may not revoke engagements.', 'engagement.revoke_forbidden');
      if (e.revokedAt)
        throw new RuleViolationError(
          'engagement.revoked',
          `This engagement was already revoked on ${formatLocalTime(e.revokedAt)}.`,
        );
      await this.repo.revoke(e.id, now, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'engagement.revoked',
          subjectType: 'Engagement',
          subjectId: e.id,
          data: { auditorUserId: e.auditorUserId, expired: e.expiresAt.getTime() <= now.getTime() },
        },
        m,
      );
      return { ...e, revokedAt: now };
    });
    return (await this.views([row], now))[0];
  }

  // ---- requests ----------------------------------------------------------------------------------
  // ---- demo --------------------------------------------------------------------------------------

  /**
   * Demo data: the demo auditor gets a SOC 2 engagement for the current calendar year (Asia/Bangkok),
   * expiring at the end of next March, unless they already hold an active one. Returns whether it opened one.
   */
  async seedDemoEngagement(auditorEmail: string, now = new Date()): Promise<boolean> {
    const auditor = await this.users.findByEmail(auditorEmail);
    if (!auditor || auditor.role !== 'auditor' || !auditor.active) return false;
    if ((await this.repo.activeOf(auditor.id, now)).length) return false;
    // Not through open(): the catalog may not be synced yet at this point of the start (the key is a value).
    const year = Number(dayOf(now).slice(0, 4));
    await this.insert(systemActor('demo-seed'), {
      auditorUserId: auditor.id,
      frameworks: ['soc2'],
      from: `${year}-01-01`,
      to: `${year}-12-31`,
      expiresAt: new Date(endOfDay(`${year + 1}-03-31`).getTime() - 1000), // 31 March 23:59:59
    });
    return true;
  }

  // ---- internals ---------------------------------------------------------------------------------

  private insert(
    actor: Actor,
    v: { auditorUserId: string; frameworks: string[]; from: string; to: string; expiresAt: Date },
  ): Promise<Engagement> {
    return this.ds.transaction(async (m) => {
      const e = await this.repo.insert(
        {
          auditorUserId: v.auditorUserId,
          frameworks: v.frameworks,
          periodFrom: v.from,
          periodTo: v.to,
          expiresAt: v.expiresAt,
          createdByUserId: actor.kind === 'user' ? actor.id : null,
        },
        m,
      );
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'engagement.opened',
          subjectType: 'Engagement',
          subjectId: e.id,
          data: {
            auditorUserId: e.auditorUserId,
            frameworks: v.frameworks,
            from: v.from,
            to: v.to,
            expiresAt: v.expiresAt.toISOString(),
          },
        },
        m,
      );
      return e;
    });
  }

  private async readableEngagement(actor: UserActor, id: string): Promise<Engagement> {
    return readableOr404(abilityFor(actor), 'Engagement', await this.repo.findById(id), { entity: 'engagement', id });
  }

  private async views(rows: Engagement[], now: Date): Promise<EngagementView[]> {
    const names = await this.users.namesByIds(rows.map((r) => r.auditorUserId));
    return rows.map((e) => ({
      id: e.id,
      auditorUserId: e.auditorUserId,
      auditorName: names.get(e.auditorUserId) ?? null,
      frameworks: e.frameworks,
      from: e.periodFrom,
      to: e.periodTo,
      expiresAt: e.expiresAt.toISOString(),
      state: engagementState(e, now),
      createdByUserId: e.createdByUserId,
      createdAt: e.createdAt.toISOString(),
      revokedAt: e.revokedAt?.toISOString() ?? null,
    }));
  }

  // The pages (src/web) still call these here; they belong to EngagementRequestsService.
}
