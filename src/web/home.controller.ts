import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthService } from '../health/health.service';
import { homePage, HomePage } from './home.page';

@ApiExcludeController()
@Controller()
export class HomeController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Render('index')
  async home(): Promise<HomePage> {
    return homePage(await this.health.summary());
  }
}
