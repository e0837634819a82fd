import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SchedulerService } from '../jobs/scheduler.service';
import { KeyClocksService } from './key-clocks.service';

/** Checks the key register's clocks on KEY_ROTATION_CRON (default hourly) in TZ_COMPLIANCE: reminders, escalations. */
@Injectable()
export class KeyJobs implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerService,
    private readonly clocks: KeyClocksService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.keyRotationCron) return;
    this.scheduler.schedule({
      name: 'key-rotation-clocks',
      cron: this.config.keyRotationCron,
      timezone: this.config.timeZone,
      run: () => this.clocks.remindAndEscalate(),
    });
  }
}
