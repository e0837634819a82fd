import { Body, Controller, Get, Param, Post, Query, Render, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type {} from '@fastify/view'; // reply.view()
import type { AppAbility } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import { asSubject } from '../authz/subject';
import { ForbiddenError, type ValidationError } from '../common/errors/app-error';
import { fills } from '../documents/domain/document-approvals';
import { ReleaseParams, ReleaseQueryDto, SignGateDto } from '../releases/dto/release.dto';
import { ReleaseGateSignaturesService } from '../releases/release-gate-signatures.service';
import { ReleaseGatesService } from '../releases/release-gates.service';
import { ReleasesService } from '../releases/releases.service';
import { GateFormParams, SignGateFormDto } from './dto/release-forms.dto';
import { FormIdempotency, FormKey, FormKeyInterceptor, newFormKey } from './form-idempotency';
import { refusalStatus } from './form-refusal';
import { formField, validated } from './incident-forms';
import { RELEASE_CSV_COLUMNS, releaseListPage, releasePage, type ReleaseFormState } from './release.page';
import { allRows, sendCsv } from './list-csv';
import { viewUser } from './view-context.interceptor';

/**
 * The release pages (issue 18): the list with each release's decision, and a release with its gates, where
 * the people a gate names sign it with their password again (the clinical lead first generating and reading
 * the ISO 14971 clause 9 report it signs). Forms run once per key and answer 303; a refused one is shown
 * again with the problem next to the password (never echoed).
 */
@ApiExcludeController()
@Controller('releases')
@UseInterceptors(FormKeyInterceptor)
export class ReleasePagesController {
  constructor(
    private readonly releases: ReleasesService,
    private readonly gates: ReleaseGatesService,
    private readonly signatures: ReleaseGateSignaturesService,
    private readonly forms: FormIdempotency,
  ) {}

  @Get()
  @Policy('read', 'Release')
  @Render('releases')
  async list(@CurrentActor() actor: UserActor, @Query() query: ReleaseQueryDto) {
    const page = await this.releases.listDetails(actor, { ...query, limit: query.limit ?? 50 });
    return releaseListPage({
      items: page.items,
      total: page.total,
      products: this.gates.policy().products,
      product: query.product ?? null,
    });
  }

  /** The (filtered) releases, every page of them, as CSV. */
  @Get('export.csv')
  @Policy('read', 'Release')
  async listCsv(@CurrentActor() actor: UserActor, @Query() query: ReleaseQueryDto, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.releases.listDetails(actor, { ...query, ...page }));
    await sendCsv(reply, 'releases', RELEASE_CSV_COLUMNS, rows);
  }

  @Get(':product/:version')
  @Policy('read', 'Release')
  @Render('release')
  release(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Param() p: ReleaseParams) {
    return this.page(actor, ability, p, null);
  }

  @Post(':product/:version/risk-report')
  @Policy('create', 'ReleaseSignature')
  async riskReport(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: ReleaseParams,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, p, name: 'risk-report', values: {} }, async () => {
      await this.signatures.generateRiskReport(actor, p.product, p.version);
      return '#risk-report';
    });
  }

  @Post(':product/:version/gates/:gate/sign')
  @Policy('create', 'ReleaseSignature')
  async sign(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: GateFormParams,
    @Body() form: SignGateFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, p, name: `sign:${p.gate}`, values: form }, async () => {
      const dto = await validated(SignGateDto, {
        password: form.password ?? '',
        ...(form.reportSha256 ? { reportSha256: form.reportSha256 } : {}),
      });
      await this.signatures.sign(actor, p.product, p.version, p.gate, dto);
      return `#gate-${p.gate}`;
    });
  }

  private async submit(
    s: {
      reply: FastifyReply;
      actor: UserActor;
      ability: AppAbility;
      key: string | null;
      p: ReleaseParams;
      name: string;
      values: object;
    },
    run: () => Promise<string>,
  ): Promise<void> {
    const base = `/releases/${s.p.product}/${encodeURIComponent(s.p.version)}`;
    try {
      const scope = `release-${s.name}:${s.p.product}@${s.p.version}`;
      const outcome = await this.forms.once(s.actor.id, s.key, scope, async () => ({ location: base + (await run()) }));
      await s.reply.redirect(outcome.location, 303);
    } catch (e) {
      const status = e instanceof ForbiddenError ? 403 : refusalStatus(e);
      if (status === null) throw e;
      const problem = e as ValidationError;
      const errors: Record<string, string> = {};
      for (const f of problem.errors ?? []) errors[formField(f.field)] = f.message;
      if (e instanceof ForbiddenError && e.code === 'release.wrong_password') errors.password = e.message;
      const values: Record<string, unknown> = { ...s.values };
      delete values.password;
      const form: ReleaseFormState = { form: s.name, values, errors, detail: problem.message };
      const model = await this.page(s.actor, s.ability, s.p, form);
      await s.reply.status(status).view('release', { ...model, me: viewUser(s.actor, s.reply.request.url) });
    }
  }

  private async page(actor: UserActor, ability: AppAbility, p: ReleaseParams, form: ReleaseFormState | null) {
    const release = await this.releases.get(actor, p.product, p.version);
    const product = this.gates.product(p.product);
    const me = { userId: actor.id, role: actor.role, departmentKey: actor.departmentKey };
    const clause9 = product.signed.find((g) => g.riskReport);
    const canSign = ability.can('create', 'ReleaseSignature');
    return releasePage({
      release,
      product,
      actor,
      canSign,
      canGenerateReport:
        canSign &&
        ((clause9?.signers.some((s) => fills(s, me, '')) ?? false) ||
          ability.can('update', asSubject('Release', { builtAt: new Date(release.builtAt) }))),
      form,
      formKey: newFormKey(),
    });
  }
}
