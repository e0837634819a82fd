import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { actorRef, systemActor } from '../authz/actor';
import { SchedulerService } from '../jobs/scheduler.service';
import { RiskReviewsService } from './risk-reviews.service';

const JOB_ACTOR = actorRef(systemActor('job:risk-review'));

/**
 * Raises the quarterly ISO 14971 risk review task on RISK_REVIEW_CRON (default the first day of each quarter,
 * 09:00 Asia/Bangkok; `off` disables it): under the scheduler's advisory lock, one idempotent call.
 */
@Injectable()
export class RiskReviewJob implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerService,
    private readonly risks: RiskReviewsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.riskReviewCron) return;
    this.scheduler.schedule({
      name: 'risk-review',
      cron: this.config.riskReviewCron,
      run: () => this.risks.raiseQuarterlyReview(new Date(), JOB_ACTOR),
    });
  }
}
