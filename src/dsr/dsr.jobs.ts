import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { systemActor } from '../authz/actor';
import { SchedulerService } from '../jobs/scheduler.service';
import { DrillsService } from './drills.service';
import { DsrClockService } from './dsr-clocks.service';
import { DsrErasureService } from './dsr-erasure.service';
import { DsrExportService } from './dsr-export.service';

/**
 * DSR schedules: the monthly drill (DSR_DRILL_CRON), due erasures every 10 minutes (after their grace
 * period; failed ones are retried on the next run), clock reminders hourly, and export packages past
 * DSR_EXPORT_RETENTION_DAYS deleted daily.
 */
@Injectable()
export class DsrJobs implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerService,
    private readonly erasure: DsrErasureService,
    private readonly clocks: DsrClockService,
    private readonly exports: DsrExportService,
    private readonly drills: DrillsService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.dsrDrillCron)
      this.scheduler.schedule({
        name: 'dsr-drill',
        cron: this.config.dsrDrillCron,
        run: () => this.drills.run(systemActor('job:dsr-drill'), 'schedule'),
      });
    this.scheduler.schedule({ name: 'dsr-erasures', cron: '*/10 * * * *', run: () => this.erasure.runDueErasures() });
    this.scheduler.schedule({ name: 'dsr-clock-reminders', cron: '15 * * * *', run: () => this.clocks.remindClocks() });
    this.scheduler.schedule({
      name: 'dsr-export-retention',
      cron: '40 3 * * *',
      run: () => this.exports.purgeExportPackages(),
    });
  }
}
