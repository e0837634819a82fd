import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerService } from '../jobs/scheduler.service';
import { PackBuilder } from './pack-builder.service';

/**
 * Every minute (under the scheduler's advisory lock), and once at start: queue the packs waiting to be built
 * (among them those whose builder died here, released at start by PackScratch, or that a shutdown handed
 * back) and those whose builder died elsewhere (stale heartbeat), in this process. Requests also start
 * their build at once.
 */
@Injectable()
export class PacksJob implements OnApplicationBootstrap {
  constructor(
    private readonly scheduler: SchedulerService,
    private readonly packs: PackBuilder,
  ) {}

  onApplicationBootstrap(): void {
    const job = { name: 'audit-packs', cron: '* * * * *', run: () => this.packs.resumePending() };
    if (this.scheduler.schedule(job)) void this.scheduler.runNow(job);
  }
}
