import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SchedulerService } from '../jobs/scheduler.service';
import { CheckpointService } from './checkpoint.service';

/** Signs a checkpoint of the audit trail on AUDIT_CHECKPOINT_CRON (every 5 minutes); a no-op when the head has not moved. */
@Injectable()
export class CheckpointJob implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerService,
    private readonly checkpoints: CheckpointService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.auditCheckpointCron) return;
    this.scheduler.schedule({
      name: 'audit-checkpoint',
      cron: this.config.auditCheckpointCron,
      run: () => this.checkpoints.writeNow(),
    });
  }
}
