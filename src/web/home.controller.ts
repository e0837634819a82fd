import { Controller, Get, Render, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthService } from '../health/health.service';
import { Public, type AuthenticatedRequest } from '../authz/policy.decorator';
import { homePage, HomePage } from './home.page';

@ApiExcludeController()
@Public()
@Controller()
export class HomeController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Render('index')
  async home(@Req() request: AuthenticatedRequest): Promise<HomePage> {
    // Public page: the details only for a signed-in admin, as on /health.
    return homePage(await this.health.summary(), request.actor?.role === 'admin');
  }
}
