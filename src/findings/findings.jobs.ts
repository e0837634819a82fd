import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerService } from '../jobs/scheduler.service';
import { FindingEscalationsService } from './finding-escalations.service';

/** Every hour at :20 (compliance time zone): due-soon and overdue findings escalate, once each. */
export const FINDING_ESCALATION_CRON = '20 * * * *';

@Injectable()
export class FindingsJobs implements OnApplicationBootstrap {
  constructor(
    private readonly scheduler: SchedulerService,
    private readonly escalations: FindingEscalationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.schedule({
      name: 'finding-escalations',
      cron: FINDING_ESCALATION_CRON,
      run: () => this.escalations.escalate(),
    });
  }
}
