import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SchedulerService } from '../jobs/scheduler.service';
import { DocumentAcknowledgementsService } from './document-acknowledgements.service';
import { DocumentReviewsService } from './document-reviews.service';

/**
 * On DOCUMENT_ACK_CRON (default hourly at :50; `off` disables it), under the scheduler's advisory lock, one
 * idempotent call: tasks for people who joined a document's audience (new users, role or department changes),
 * then reminders, overdue notices and escalations (each sent once). On the same schedule, under a lock of its
 * own, the owners' review tasks and overdue reviews (DocumentReviewsService.remind, each sent once).
 */
@Injectable()
export class DocumentAcknowledgementsJob implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerService,
    private readonly acknowledgements: DocumentAcknowledgementsService,
    private readonly reviews: DocumentReviewsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.documentAckCron) return;
    this.scheduler.schedule({
      name: 'document-acknowledgements',
      cron: this.config.documentAckCron,
      run: () => this.acknowledgements.askAndRemind(new Date()),
    });
    this.scheduler.schedule({
      name: 'document-reviews',
      cron: this.config.documentAckCron,
      run: () => this.reviews.remind(new Date()),
    });
  }
}
