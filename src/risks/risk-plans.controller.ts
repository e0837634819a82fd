import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import type { UserActor } from '../authz/actor';
import {
  PutRiskPlanDto,
  RiskPlanParams,
  RiskPlanQueryDto,
  RiskPlanVersionView,
  RiskPlanView,
} from './dto/risk-plan.dto';
import { RiskPlansService } from './risk-plans.service';

/** Risk management plans per product, with the overall residual-risk statement (static paths: no clash with /api/risks/:id). */
@ApiTags('risks')
@Controller('api/risks/plans')
export class RiskPlansController {
  constructor(private readonly plans: RiskPlansService) {}

  @Get()
  @Policy('read', 'RiskPlan')
  @ApiOperation({ summary: 'Risk management plans, by product; paged' })
  list(@Query() query: RiskPlanQueryDto): Promise<Page<RiskPlanView>> {
    return this.plans.list(query);
  }

  @Get(':product')
  @Policy('read', 'RiskPlan')
  @ApiOkResponse({ type: RiskPlanView })
  get(@Param() p: RiskPlanParams): Promise<RiskPlanView> {
    return this.plans.get(p.product);
  }

  @Put(':product')
  @Policy('update', 'RiskPlan')
  @ApiOperation({
    summary: "Create or replace a product's plan and residual-risk statement: a new version when anything changed",
  })
  @ApiOkResponse({ type: RiskPlanView })
  put(
    @CurrentActor() actor: UserActor,
    @Param() p: RiskPlanParams,
    @Body() dto: PutRiskPlanDto,
  ): Promise<RiskPlanView> {
    return this.plans.put(actor, p.product, dto);
  }

  @Get(':product/history')
  @Policy('read', 'RiskPlan')
  @ApiOperation({ summary: "A plan's versions, newest first: who, when, what changed" })
  @ApiOkResponse({ type: [RiskPlanVersionView] })
  history(@Param() p: RiskPlanParams): Promise<RiskPlanVersionView[]> {
    return this.plans.history(p.product);
  }
}
