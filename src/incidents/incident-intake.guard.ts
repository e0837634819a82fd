import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { UserActor } from '../authz/actor';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PostgresThrottlerStorage } from '../identity/postgres-throttler.storage';

/**
 * Reporting is limited per person or API token (INCIDENT_INTAKE_RATE_LIMIT a minute, counted in
 * PostgreSQL across instances): an alerting system caught in a loop gets 429, not a thousand incidents.
 */
@Injectable()
export class IncidentIntakeGuard implements CanActivate {
  constructor(
    private readonly storage: PostgresThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ actor?: UserActor }>();
    const who = request.actor ? `${request.actor.via}:${request.actor.id}` : 'anonymous';
    const { isBlocked } = await this.storage.increment(
      `incident-intake|${who}`,
      60_000,
      this.config.incidentIntakeRateLimit,
    );
    if (isBlocked) throw new ThrottlerException('Too many incidents reported this minute; retry later.');
    return true;
  }
}
