// The job schedules one idempotent call on RISK_REVIEW_CRON in the scheduler's zone (the compliance time zone,
// TZ_COMPLIANCE), and nothing when it is off.
import type { AppConfig } from '../config/config';
import type { ScheduledJob, SchedulerService } from '../jobs/scheduler.service';
import { RiskReviewJob } from './risk-review.job';
import type { RiskReviewsService } from './risk-reviews.service';

function setUp(riskReviewCron: string | null) {
  const scheduled: ScheduledJob[] = [];
  const scheduler = { schedule: (job: ScheduledJob) => scheduled.push(job) > 0 } as unknown as SchedulerService;
  const raise = jest.fn().mockResolvedValue({ quarter: '2026-Q4', due: 0, overdue: 0 });
  const risks = { raiseQuarterlyReview: raise } as unknown as RiskReviewsService;
  new RiskReviewJob({ riskReviewCron } as AppConfig, scheduler, risks).onApplicationBootstrap();
  return { scheduled, raise };
}

it('schedules the quarterly review task on the configured cron, in the compliance zone, calling raiseQuarterlyReview as the job', async () => {
  const { scheduled, raise } = setUp('0 9 1 1,4,7,10 *');
  expect(scheduled.map(({ name, cron, timezone }) => ({ name, cron, timezone }))).toEqual([
    { name: 'risk-review', cron: '0 9 1 1,4,7,10 *', timezone: undefined }, // no zone of its own: the scheduler's
  ]);
  await scheduled[0].run();
  expect(raise).toHaveBeenCalledWith(expect.any(Date), 'system:job:risk-review');
});

it('schedules nothing when RISK_REVIEW_CRON is off', () => {
  expect(setUp(null).scheduled).toEqual([]);
});
