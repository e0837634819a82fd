import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import { CatalogService } from '../catalog/catalog.service';
import { AssignOwnerDto, ControlParams, ControlQueryDto, FrameworkParams } from '../catalog/dto/catalog.dto';
import type { UserActor } from '../authz/actor';
import { DepartmentsService } from '../identity/departments.service';
import { UsersService } from '../identity/users.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import type {} from '@fastify/view'; // reply.view()
import { RuleViolationError, ValidationError } from '../common/errors/app-error';
import { SweepsService } from '../sweeps/sweeps.service';
import { viewUser } from './view-context.interceptor';
import {
  catalogPage,
  CONTROL_CSV_COLUMNS,
  controlPage,
  controlsPage,
  frameworkPage,
  type OwnerForm,
} from './catalog.page';
import { allRows, sendCsv } from './list-csv';

/** The catalog browser: framework → requirement → controls, and control → requirements across frameworks. */
@ApiExcludeController()
@Controller()
export class CatalogPagesController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly departments: DepartmentsService,
    private readonly users: UsersService,
    private readonly evidence: EvidenceQueriesService,
    private readonly sweeps: SweepsService,
  ) {}

  @Get('catalog')
  @Policy('read', 'Framework')
  @Render('catalog')
  async frameworks() {
    const [frameworks, coverage] = await Promise.all([this.catalog.listFrameworks(), this.catalog.coverageAll()]);
    return catalogPage(frameworks, coverage);
  }

  @Get('catalog/:key')
  @Policy('read', 'Requirement')
  @Render('framework')
  async framework(@Param() p: FrameworkParams) {
    const framework =
      (await this.catalog.listFrameworks()).find((f) => f.key === p.key) ?? (await this.catalog.framework(p.key));
    const [requirements, coverage] = await Promise.all([
      this.catalog.requirements(p.key, { limit: 200 }),
      this.catalog.coverage(p.key),
    ]);
    return frameworkPage(framework, requirements.items, coverage);
  }

  @Get('controls')
  @Policy('read', 'Control')
  @Render('controls')
  async controls(@CurrentActor() actor: UserActor, @Query() query: ControlQueryDto) {
    const [list, frameworks, departments] = await Promise.all([
      this.catalog.listControls(actor, query),
      this.catalog.listFrameworks(),
      this.departments.list(),
    ]);
    return controlsPage({ query, list, frameworks, departments });
  }

  /** The filtered list, every page of it, as CSV. */
  @Get('controls/export.csv')
  @Policy('read', 'Control')
  async controlsCsv(@CurrentActor() actor: UserActor, @Query() query: ControlQueryDto, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.catalog.listControls(actor, { ...query, ...page }));
    await sendCsv(reply, 'controls', CONTROL_CSV_COLUMNS, rows);
  }

  @Get('controls/:key')
  @Policy('read', 'Control')
  @Render('control')
  control(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Param() p: ControlParams) {
    return this.controlPage(actor, ability, p.key);
  }

  /** The control page's model; `form` re-renders the owner form with what was submitted and why it was refused. */
  private async controlPage(actor: UserActor, ability: AppAbility, key: string, form?: OwnerForm) {
    const control = await this.catalog.getControl(actor, key);
    const canAssign = ability.can('update', 'Control');
    const everyone = canAssign ? (await this.users.list(actor, { active: true, limit: 200 })).items : [];
    // The newest evidence of this control, and the exceptions and attestations that stood in for it, for those who may read evidence.
    const readsEvidence = ability.can('read', 'Evidence');
    const [evidence, outcomes] = await Promise.all([
      readsEvidence ? this.evidence.list(actor, { control: key, current: true, limit: 20 }) : null,
      readsEvidence ? this.sweeps.controlOutcomes(actor, key) : [],
    ]);
    return controlPage({ control, canAssign, everyone, evidence, outcomes, form });
  }

  /** Assigns the accountable person; a refused choice re-renders the page with the choice and the reason (400/422). */
  @Post('controls/:key/owner')
  @Policy('update', 'Control')
  async assignOwner(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: ControlParams,
    @Body() dto: AssignOwnerDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      await this.catalog.assignOwner(actor, p.key, dto);
    } catch (e) {
      if (!(e instanceof ValidationError || e instanceof RuleViolationError)) throw e;
      const status = e instanceof RuleViolationError ? 422 : 400;
      await reply.status(status).view('control', {
        ...(await this.controlPage(actor, ability, p.key, { userId: dto.userId, problem: e })),
        me: viewUser(actor, reply.request.url),
      });
      return;
    }
    await reply.redirect(`/controls/${p.key}?done=owner.assigned`, 303);
  }
}
