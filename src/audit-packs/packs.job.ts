import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerService } from '../jobs/scheduler.service';
import { PackBuilder } from './pack-builder.service';

/**
 * Every minute (under the scheduler's advisory lock): queue the packs waiting to be built and those whose
 * builder died (stale heartbeat), in this process. Requests also start their build at once.
 */
@Injectable()
export class PacksJob implements OnApplicationBootstrap {
  constructor(
    private readonly scheduler: SchedulerService,
    private readonly packs: PackBuilder,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.schedule({ name: 'audit-packs', cron: '* * * * *', run: () => this.packs.resumePending() });
  }
}
