import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerService } from '../jobs/scheduler.service';
import { AuthService } from './auth.service';

/** Daily: sessions that ended more than a day ago are deleted (the sessions table does not grow forever). */
@Injectable()
export class IdentityJobs implements OnApplicationBootstrap {
  constructor(
    private readonly scheduler: SchedulerService,
    private readonly auth: AuthService,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.schedule({ name: 'session-purge', cron: '20 3 * * *', run: () => this.auth.purgeEndedSessions() });
  }
}
