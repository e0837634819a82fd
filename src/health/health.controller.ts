import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult } from '@nestjs/terminus';
import { HealthService } from './health.service';
import { type AuthenticatedRequest, Public } from '../authz/policy.decorator';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @HealthCheck()
  @ApiOkResponse({
    description:
      'The database is reachable and every migration is applied: `{"status":"ok"}`, with the details only for a signed-in admin.',
  })
  @ApiServiceUnavailableResponse({
    description:
      'The database is unreachable or migrations are pending (problem+json; the details only for a signed-in admin).',
  })
  check(@Req() request: AuthenticatedRequest): Promise<HealthCheckResult | { status: 'ok' }> {
    return this.health.checkFor(request.actor);
  }
}
