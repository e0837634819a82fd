import { PackSigner } from '../audit-packs/signing/pack-signer';
import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import { CatalogService } from '../catalog/catalog.service';
import { NotFoundError } from '../common/errors/app-error';
import { EngagementRequestsService } from '../engagements/engagement-requests.service';
import { EngagementsService } from '../engagements/engagements.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { SweepsService } from '../sweeps/sweeps.service';
import type { UserActor } from '../authz/actor';
import {
  AnswerFormDto,
  EngagementControlParams,
  EngagementControlQueryDto,
  EngagementFrameworkParams,
  EngagementPageParams,
  EngagementsPageQueryDto,
  OpenEngagementFormDto,
  RequestFormDto,
  RequestIdParams,
  RevokeFormDto,
} from './dto/audit-forms.dto';
import { dayOf, endOfDay, isCalendarDate } from '../common/time/days';
import {
  auditControlPage,
  auditFrameworkPage,
  auditPortalPage,
  controlMappingsInScope,
  ENGAGEMENT_CSV_COLUMNS,
  ENGAGEMENT_REQUEST_CSV_COLUMNS,
  engagementsPage,
  EVIDENCE_PAGE,
  requirementAnchor,
  revokePage,
  type SigningView,
} from './audit.page';
import { allRows, sendCsv } from './list-csv';

/** Answered requests shown on the engagements page (the newest). */
const ANSWERED_SHOWN = 100;

/**
 * The auditor portal: the engagement's scope, read-only browsing (requirements → controls → evidence dated
 * within the period, with downloads), requests on requirements; and for compliance managers the page that
 * opens and revokes engagements and answers the requests. Packs have their own pages (audit-pack-pages).
 */
@ApiExcludeController()
@Controller('audit')
export class AuditPagesController {
  constructor(
    private readonly engagements: EngagementsService,
    private readonly requests: EngagementRequestsService,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceQueriesService,
    private readonly signer: PackSigner,
    private readonly sweeps: SweepsService,
  ) {}

  /** The pack-signing certificate as pages show it (so an auditor can compare the fingerprint in a pack). */
  private signing(): SigningView {
    const { subject, fingerprintSha256, notAfter, selfSigned } = this.signer.certificate();
    return { subject, fingerprintSha256, notAfter, selfSigned };
  }

  @Get()
  @Policy('read', 'Engagement')
  @Render('audit')
  async portal(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility) {
    const [mine, requests] = await Promise.all([
      this.engagements.list(actor, { limit: 50 }),
      ability.can('read', 'EngagementRequest') ? this.requests.listRequests(actor, { limit: 200 }) : null,
    ]);
    return auditPortalPage({
      auditorUserId: actor.id,
      engagements: mine.items,
      requests: requests?.items ?? null,
      can: {
        requestPacks: ability.can('create', 'AuditPack'),
        manage: ability.can('update', 'Engagement'),
        readPacks: ability.can('read', 'AuditPack'),
      },
      signing: ability.can('read', 'AuditPack') ? this.signing() : null,
    });
  }

  // ---- browsing inside an engagement -------------------------------------------------------------

  @Get('engagements/:id/frameworks/:framework')
  @Policy('read', 'Engagement')
  @Render('audit-framework')
  async framework(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: EngagementFrameworkParams,
  ) {
    const engagement = await this.engagements.activeScope(actor, p.id);
    if (!engagement.frameworks.includes(p.framework)) throw new NotFoundError('framework', p.framework);
    const [framework, requirements, requests] = await Promise.all([
      this.catalog.framework(p.framework),
      this.catalog.requirements(p.framework, { limit: 200 }),
      this.requests.listRequests(actor, { engagement: engagement.id, limit: 200 }),
    ]);
    return auditFrameworkPage({
      engagement,
      framework,
      requirements,
      requests: requests.items,
      canRequest: ability.can('create', 'EngagementRequest'),
    });
  }

  @Get('engagements/:id/controls/:key')
  @Policy('read', 'Engagement')
  @Render('audit-control')
  async control(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: EngagementControlParams,
    @Query() q: EngagementControlQueryDto,
  ) {
    const engagement = await this.engagements.activeScope(actor, p.id);
    const control = await this.catalog.getControl(actor, p.key);
    const mappings = controlMappingsInScope(control, engagement.frameworks);
    if (mappings.length === 0) throw new NotFoundError('control', p.key);
    const offset = q.offset ?? 0;
    // Evidence is read through the ability: an auditor gets only what the engagement opens.
    const evidence = ability.can('read', 'Evidence')
      ? await this.evidence.list(actor, {
          control: p.key,
          from: engagement.from,
          to: engagement.to,
          limit: EVIDENCE_PAGE,
          offset,
        })
      : { items: [], total: 0, limit: EVIDENCE_PAGE, offset };
    // Exceptions and attestations recorded within the period: what stood in for evidence, with the reasons.
    const outcomes = await this.sweeps.controlOutcomes(actor, p.key, { from: engagement.from, to: engagement.to });
    return auditControlPage({ engagement, control, mappings, outcomes, evidence });
  }

  @Post('engagements/:id/requests')
  @Policy('create', 'EngagementRequest')
  async request(
    @CurrentActor() actor: UserActor,
    @Param() p: EngagementPageParams,
    @Body() form: RequestFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const r = await this.requests.createRequest(actor, p.id, form);
    await reply.redirect(
      `/audit/engagements/${p.id}/frameworks/${r.framework}#${requirementAnchor(r.requirementRef)}`,
      303,
    );
  }

  // ---- compliance managers -----------------------------------------------------------------------

  /** The newest answered requests (the history kept on the engagements page), newest first. */
  private async answeredRequests(actor: UserActor) {
    const first = await this.requests.listRequests(actor, { status: 'answered', limit: ANSWERED_SHOWN });
    const page =
      first.total > ANSWERED_SHOWN
        ? await this.requests.listRequests(actor, {
            status: 'answered',
            limit: ANSWERED_SHOWN,
            offset: first.total - ANSWERED_SHOWN,
          })
        : first;
    return { items: [...page.items].reverse(), total: first.total };
  }

  @Get('engagements')
  @Policy('update', 'Engagement')
  @Render('audit-engagements')
  async manage(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Query() q: EngagementsPageQueryDto,
  ) {
    const [engagements, open, answered, auditors, frameworks] = await Promise.all([
      this.engagements.list(actor, { limit: 200 }),
      this.requests.listRequests(actor, { status: 'open', limit: 200 }),
      this.answeredRequests(actor),
      this.engagements.auditors(),
      this.catalog.listFrameworks(),
    ]);
    return engagementsPage({
      today: dayOf(new Date()),
      engagements: engagements.items,
      openRequests: open.items,
      answeredRequests: answered,
      revokedId: q.revoked ?? null,
      auditors,
      frameworks,
      canAnswer: ability.can('update', 'EngagementRequest'),
      signing: this.signing(),
    });
  }

  /** Every engagement, as CSV. */
  @Get('engagements/export.csv')
  @Policy('update', 'Engagement')
  async engagementsCsv(@CurrentActor() actor: UserActor, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.engagements.list(actor, page));
    await sendCsv(reply, 'engagements', ENGAGEMENT_CSV_COLUMNS, rows);
  }

  /** Every auditor request, open and answered, with its answer, as CSV. */
  @Get('engagements/requests.csv')
  @Policy('update', 'Engagement')
  async requestsCsv(@CurrentActor() actor: UserActor, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.requests.listRequests(actor, page));
    await sendCsv(reply, 'auditor-requests', ENGAGEMENT_REQUEST_CSV_COLUMNS, rows);
  }

  @Post('engagements')
  @Policy('create', 'Engagement')
  async open(
    @CurrentActor() actor: UserActor,
    @Body() form: OpenEngagementFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // The form's expiry is a day: access ends when that day ends in Asia/Bangkok.
    await this.engagements.open(actor, {
      auditorUserId: form.auditorUserId,
      frameworks: form.frameworks,
      from: form.from,
      to: form.to,
      // The last millisecond of that day in the compliance zone; a date that is not one is left to the validation.
      expiresAt: isCalendarDate(form.expires)
        ? new Date(endOfDay(form.expires).getTime() - 1).toISOString()
        : form.expires,
    });
    await reply.redirect('/audit/engagements', 303);
  }

  /** The confirmation step before revoking: what ends, for whom, and the form that does it. */
  @Get('engagements/:id/revoke')
  @Policy('update', 'Engagement')
  @Render('audit-engagement-revoke')
  async confirmRevoke(@CurrentActor() actor: UserActor, @Param() p: EngagementPageParams) {
    return revokePage(await this.engagements.get(actor, p.id));
  }

  @Post('engagements/:id/revoke')
  @Policy('update', 'Engagement')
  async revoke(
    @CurrentActor() actor: UserActor,
    @Param() p: EngagementPageParams,
    @Body() form: RevokeFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Not confirmed (an old form, a stray POST): ask first, change nothing.
    if (form.confirm !== 'revoke') return void (await reply.redirect(`/audit/engagements/${p.id}/revoke`, 303));
    await this.engagements.revoke(actor, p.id);
    await reply.redirect(`/audit/engagements?revoked=${p.id}#engagements`, 303);
  }

  @Post('requests/:id/answer')
  @Policy('update', 'EngagementRequest')
  async answer(
    @CurrentActor() actor: UserActor,
    @Param() p: RequestIdParams,
    @Body() form: AnswerFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.requests.answer(actor, p.id, form);
    await reply.redirect('/audit/engagements#requests', 303);
  }
}
