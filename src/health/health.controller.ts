import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult } from '@nestjs/terminus';
import { HealthService } from './health.service';
import { Public } from '../authz/policy.decorator';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @HealthCheck()
  @ApiOkResponse({ description: 'The database is reachable and every migration is applied.' })
  @ApiServiceUnavailableResponse({ description: 'The database is unreachable or migrations are pending (problem+json).' })
  check(): Promise<HealthCheckResult> {
    return this.health.check();
  }
}
