import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import { ForbiddenError, RuleViolationError, ValidationError } from '../common/errors/app-error';
import { type Page, pageOf } from '../common/http/pagination';
import { UsersService } from '../identity/users.service';
import { NotificationsService } from '../notifications/notifications.service';
import { engagementState } from './domain/engagement-rules';
import {
  AnswerEngagementRequestDto,
  CreateEngagementRequestDto,
  EngagementRequestQueryDto,
  EngagementRequestView,
} from './dto/engagement.dto';
import type { EngagementRequest } from './engagement.entity';
import { EngagementsRepository } from './engagements.repository';

/**
 * The auditors' requests: inside an active engagement an auditor leaves requests or comments on
 * requirements of the frameworks in scope, which compliance managers answer. Every change is one
 * audit-trail entry in the same transaction, with its notifications: a new request to every active
 * compliance manager, an answer to the auditor who asked.
 */
@Injectable()
export class EngagementRequestsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: EngagementsRepository,
    private readonly catalog: CatalogService,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
    private readonly notifications: NotificationsService,
  ) {}

  /** An auditor's request or comment on a requirement of a framework in scope of their active engagement. */
  async createRequest(
    actor: UserActor,
    engagementId: string,
    dto: CreateEngagementRequestDto,
    now = new Date(),
  ): Promise<EngagementRequestView> {
    const ability = abilityFor(actor);
    const engagement = await readableOr404(ability, 'Engagement', await this.repo.findById(engagementId), {
      entity: 'engagement',
      id: engagementId,
    });
    if (engagementState(engagement, now) !== 'active')
      throw new RuleViolationError('engagement.inactive', 'This engagement is no longer active.');
    if (!ability.can('create', asSubject('EngagementRequest', { engagementId: engagement.id }))) {
      throw new ForbiddenError(
        'Requests are raised by the auditor, inside an engagement that is active.',
        'engagement_request.forbidden',
      );
    }
    if (!engagement.frameworks.includes(dto.framework))
      throw new ValidationError([
        { field: 'framework', message: `is not in this engagement's scope (${engagement.frameworks.join(', ')})` },
      ]);
    const found = await this.catalog.requirements(dto.framework, { q: dto.requirementRef, limit: 200, offset: 0 });
    const requirement = found.items.find((r) => r.ref === dto.requirementRef);
    if (!requirement)
      throw new ValidationError([
        { field: 'requirementRef', message: `no requirement ${dto.requirementRef} in ${dto.framework}` },
      ]);

    const row = await this.ds.transaction(async (m) => {
      const r = await this.repo.insertRequest(
        {
          engagementId: engagement.id,
          framework: dto.framework,
          requirementRef: requirement.ref,
          body: dto.body.trim(),
          createdBy: actor.id,
        },
        m,
      );
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'engagement_request.created',
          subjectType: 'EngagementRequest',
          subjectId: r.id,
          data: { engagementId: engagement.id, framework: r.framework, requirementRef: r.requirementRef },
        },
        m,
      );
      await this.notifyManagers(actor, r, m);
      return r;
    });
    return (await this.requestViews([row]))[0];
  }

  /** Requests the actor may see: an auditor those of their active engagements, compliance managers all. */
  async listRequests(actor: UserActor, query: EngagementRequestQueryDto): Promise<Page<EngagementRequestView>> {
    const page = pageOf(query);
    if (query.engagement)
      await readableOr404(abilityFor(actor), 'Engagement', await this.repo.findById(query.engagement), {
        entity: 'engagement',
        id: query.engagement,
      });
    const { rows, total } = await this.repo.listRequestsVisible(abilityFor(actor), {
      ...page,
      engagementId: query.engagement,
      status: query.status,
    });
    return { items: await this.requestViews(rows), total, ...page };
  }

  async answer(
    actor: UserActor,
    requestId: string,
    dto: AnswerEngagementRequestDto,
    now = new Date(),
  ): Promise<EngagementRequestView> {
    const ability = abilityFor(actor);
    const row = await this.ds.transaction(async (m) => {
      const r = await readableOr404(ability, 'EngagementRequest', await this.repo.lockRequest(requestId, m), {
        entity: 'engagement_request',
        id: requestId,
      });
      if (!ability.can('update', asSubject('EngagementRequest', r)))
        throw new ForbiddenError('Compliance managers answer requests.', 'engagement_request.answer_forbidden');
      if (r.status === 'answered')
        throw new RuleViolationError('engagement_request.answered', 'This request has already been answered.');
      const answer = dto.answer.trim();
      await this.repo.answerRequest(r.id, { answer, answeredBy: actor.id, answeredAt: now }, m);
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: 'engagement_request.answered',
          subjectType: 'EngagementRequest',
          subjectId: r.id,
          data: { engagementId: r.engagementId, framework: r.framework, requirementRef: r.requirementRef },
        },
        m,
      );
      await this.notifications.enqueue(
        {
          recipientUserId: r.createdBy,
          kind: 'engagement.request_answered',
          dedupeKey: `engagement-request:${r.id}:answered`,
          subject: oneLine(`Your request on ${r.framework} ${r.requirementRef} was answered`),
          body: `Your request:\n${r.body}\n\nThe answer:\n${answer}`,
          link: `/audit#engagement-${r.engagementId}`,
        },
        m,
      );
      return { ...r, answer, answeredBy: actor.id, answeredAt: now, status: 'answered' as const };
    });
    return (await this.requestViews([row]))[0];
  }

  /** Every active compliance manager is told of a new request (in the request's transaction). */
  private async notifyManagers(actor: UserActor, r: EngagementRequest, m: EntityManager): Promise<void> {
    const auditor = (await this.users.namesByIds([actor.id])).get(actor.id) ?? 'The auditor';
    for (const managerId of await this.users.activeUserIds({ role: 'compliance_manager' }))
      await this.notifications.enqueue(
        {
          recipientUserId: managerId,
          kind: 'engagement.request_raised',
          dedupeKey: `engagement-request:${r.id}:raised:${managerId}`,
          subject: oneLine(`Auditor request on ${r.framework} ${r.requirementRef}`),
          body: `${auditor} asked, on requirement ${r.requirementRef} of ${r.framework}:\n\n${r.body}\n\nAnswer it on the Engagements page.`,
          link: `/audit/engagements#request-${r.id}`,
        },
        m,
      );
  }

  private async requestViews(rows: EngagementRequest[]): Promise<EngagementRequestView[]> {
    const names = await this.users.namesByIds(
      rows.flatMap((r) => [r.createdBy, ...(r.answeredBy ? [r.answeredBy] : [])]),
    );
    return rows.map((r) => ({
      id: r.id,
      engagementId: r.engagementId,
      framework: r.framework,
      requirementRef: r.requirementRef,
      body: r.body,
      createdBy: r.createdBy,
      createdByName: names.get(r.createdBy) ?? null,
      createdAt: r.createdAt.toISOString(),
      status: r.status,
      answer: r.answer,
      answeredBy: r.answeredBy,
      answeredByName: r.answeredBy ? (names.get(r.answeredBy) ?? null) : null,
      answeredAt: r.answeredAt?.toISOString() ?? null,
    }));
  }
}

/** A notification's subject: one line, within its limit (a requirement ref is short, but it is typed). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 200);
}
