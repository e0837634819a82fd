import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerService } from '../jobs/scheduler.service';
import { AuthService } from './auth.service';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';

/** Daily: sessions that ended more than a day ago, and rate-limit counters whose window ended, are deleted. */
@Injectable()
export class IdentityJobs implements OnApplicationBootstrap {
  constructor(
    private readonly scheduler: SchedulerService,
    private readonly auth: AuthService,
    private readonly rateLimits: PostgresThrottlerStorage,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.schedule({ name: 'session-purge', cron: '20 3 * * *', run: () => this.auth.purgeEndedSessions() });
    this.scheduler.schedule({
      name: 'rate-limit-purge',
      cron: '25 3 * * *',
      run: () => this.rateLimits.purgeExpired(),
    });
  }
}
