import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SchedulerService } from '../jobs/scheduler.service';
import { IncidentAlertsService } from './incident-alerts.service';

/**
 * Checks every open incident's clocks on INCIDENT_ALERT_CRON (default every 5 minutes; `off` disables it):
 * under the scheduler's advisory lock, one idempotent call (each reminder and escalation is sent once).
 */
@Injectable()
export class IncidentAlertsJob implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerService,
    private readonly alerts: IncidentAlertsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.incidentAlertCron) return;
    this.scheduler.schedule({
      name: 'incident-alerts',
      cron: this.config.incidentAlertCron,
      run: () => this.alerts.remindAndEscalate(new Date()),
    });
  }
}
