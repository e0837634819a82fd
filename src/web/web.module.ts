import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { HomeController } from './home.controller';

/** Server-rendered pages (templates in templates/web/). */
@Module({
  imports: [HealthModule],
  controllers: [HomeController],
})
export class WebModule {}
