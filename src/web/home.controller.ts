import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthService } from '../health/health.service';
import { Public } from '../authz/policy.decorator';
import { homePage, HomePage } from './home.page';

@ApiExcludeController()
@Public()
@Controller()
export class HomeController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Render('index')
  async home(): Promise<HomePage> {
    return homePage(await this.health.summary());
  }
}
