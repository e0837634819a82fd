import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AppAbility } from '../authz/ability.factory';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import { CatalogService } from '../catalog/catalog.service';
import { CADENCES } from '../catalog/domain/catalog-model';
import { AssignOwnerDto, ControlParams, ControlQueryDto, FrameworkParams } from '../catalog/dto/catalog.dto';
import type { UserActor } from '../authz/actor';
import { DepartmentsService } from '../identity/departments.service';
import { UsersService } from '../identity/users.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import type {} from '@fastify/view'; // reply.view()
import { mayOwnControls } from '../authz/control-ownership';
import { AppError, RuleViolationError, ValidationError } from '../common/errors/app-error';
import { SweepsService } from '../sweeps/sweeps.service';
import { viewUser } from './view-context.interceptor';

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
    const byKey = new Map(coverage.map((c) => [c.framework, c]));
    return { pageTitle: 'Catalog', frameworks: frameworks.map((f) => ({ ...f, coverage: byKey.get(f.key) })) };
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
    const groups: { name: string; requirements: typeof requirements.items }[] = [];
    for (const r of requirements.items) {
      const last = groups[groups.length - 1];
      if (last?.name === r.group) last.requirements.push(r);
      else groups.push({ name: r.group, requirements: [r] });
    }
    return { pageTitle: framework.name, framework, coverage, groups };
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
    const params = (offset: number) =>
      new URLSearchParams(
        Object.entries({
          framework: query.framework,
          department: query.department,
          cadence: query.cadence,
          owner: query.owner,
          q: query.q,
          offset: String(offset),
        }).filter((e): e is [string, string] => !!e[1]),
      ).toString();
    return {
      pageTitle: 'Controls',
      controls: list.items,
      total: list.total,
      from: list.total === 0 ? 0 : list.offset + 1,
      to: list.offset + list.items.length,
      previous: list.offset > 0 ? `?${params(Math.max(0, list.offset - list.limit))}` : null,
      next: list.offset + list.limit < list.total ? `?${params(list.offset + list.limit)}` : null,
      frameworks,
      departments,
      cadences: CADENCES,
      filter: {
        framework: query.framework ?? '',
        department: query.department ?? '',
        cadence: query.cadence ?? '',
        mine: query.owner === 'me',
        q: query.q ?? '',
      },
    };
  }

  @Get('controls/:key')
  @Policy('read', 'Control')
  @Render('control')
  control(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Param() p: ControlParams) {
    return this.controlPage(actor, ability, p.key);
  }

  /** The control page's model; `form` re-renders the owner form with what was submitted and why it was refused. */
  private async controlPage(
    actor: UserActor,
    ability: AppAbility,
    key: string,
    form?: { userId: string | null; problem: AppError },
  ) {
    const control = await this.catalog.getControl(actor, key);
    const canAssign = ability.can('update', 'Control');
    // Segregation of duties: the picker offers only people who may own a control (never auditors or viewers).
    const everyone = canAssign ? (await this.users.list(actor, { active: true, limit: 200 })).items : [];
    const people = everyone.filter((u) =>
      mayOwnControls({
        id: u.id,
        role: u.role,
        departmentId: u.departmentId ?? null,
        departmentKey: u.departmentKey ?? null,
      }),
    );
    // A refused choice stays selected in the re-rendered form, marked, so the person sees what they sent.
    const refused =
      form?.userId && !people.some((u) => u.id === form.userId)
        ? (everyone.find((u) => u.id === form.userId) ?? { id: form.userId, name: form.userId, role: 'unknown' })
        : null;
    // The newest evidence of this control, and the exceptions and attestations that stood in for it, for those who may read evidence.
    const evidence = ability.can('read', 'Evidence')
      ? await this.evidence.list(actor, { control: key, current: true, limit: 20 })
      : null;
    const outcomes = ability.can('read', 'Evidence') ? await this.sweeps.controlOutcomes(actor, key) : [];
    const selected = form ? form.userId : control.ownerUserId;
    return {
      pageTitle: `${control.key} ${control.title}`,
      control,
      canAssign,
      people: people.map((u) => ({ ...u, selected: u.id === selected })),
      evidence,
      outcomes,
      refused: refused ? { id: refused.id, name: refused.name, role: String(refused.role).replace(/_/g, ' ') } : null,
      ownerError: form ? { detail: form.problem.message, errors: form.problem.errors } : null,
    };
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
        me: viewUser(actor),
      });
      return;
    }
    await reply.redirect(`/controls/${p.key}`, 303);
  }
}
