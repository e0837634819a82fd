import { Controller, Get, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthService } from '../health/health.service';
import type { UserActor } from '../authz/actor';
import { CurrentActor, Policy, Public, type AuthenticatedRequest } from '../authz/policy.decorator';
import { TREND_CSV_COLUMNS, VOLUME_CSV_COLUMNS } from './dashboard.page';
import { DashboardsService } from './dashboards.service';
import { homePage, HomePage } from './home.page';
import { sendCsv } from './list-csv';

@ApiExcludeController()
@Public()
@Controller()
export class HomeController {
  constructor(
    private readonly health: HealthService,
    private readonly dashboards: DashboardsService,
  ) {}

  @Get()
  @Render('index')
  async home(
    @Req() request: AuthenticatedRequest,
  ): Promise<HomePage & { manager?: unknown; owner?: unknown; privacy?: unknown; auditor?: unknown }> {
    const actor = request.actor;
    // Public page: the details only for a signed-in admin, as on /health.
    const page = homePage(await this.health.summary(), actor?.role === 'admin');
    if (actor?.role === 'compliance_manager') return { ...page, manager: await this.dashboards.manager(actor) };
    if (actor?.role === 'privacy_officer') {
      const [privacy, owner] = await Promise.all([this.dashboards.privacy(actor), this.dashboards.owner(actor)]);
      return { ...page, privacy, owner };
    }
    if (actor?.role === 'auditor') return { ...page, auditor: await this.dashboards.auditor(actor) };
    if (actor?.role === 'control_owner') return { ...page, owner: await this.dashboards.owner(actor) };
    return page;
  }
}

/** Downloads behind the dashboards' charts: the same numbers as the chart and its table. */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardDownloadsController {
  constructor(private readonly dashboards: DashboardsService) {}

  @Get('posture-trend.csv')
  @Policy('read', 'Posture')
  async postureTrendCsv(@CurrentActor() actor: UserActor, @Res() reply: FastifyReply) {
    await sendCsv(reply, 'posture-trend', TREND_CSV_COLUMNS, await this.dashboards.postureTrendRows(actor));
  }

  @Get('dsr-volume.csv')
  @Policy('read', 'DsrRequest')
  async dsrVolumeCsv(@CurrentActor() actor: UserActor, @Res() reply: FastifyReply) {
    await sendCsv(reply, 'dsr-volume', VOLUME_CSV_COLUMNS, await this.dashboards.dsrVolume(actor));
  }
}
