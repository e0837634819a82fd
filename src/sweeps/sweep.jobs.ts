import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { actorRef, systemActor } from '../identity/actor';
import { SchedulerService } from '../jobs/scheduler.service';
import { SweepsService } from './sweeps.service';

const JOB_ACTOR = actorRef(systemActor('job:weekly-sweep'));

/**
 * Opens the week's sweep on SWEEP_CRON (default Monday 09:00 in SWEEP_TZ) and sends reminders on
 * SWEEP_REMINDER_CRON. At start it also opens the current week when its scheduled time has passed
 * and no sweep exists (the instance that should have opened it was down, or crashed mid-way).
 */
@Injectable()
export class SweepJobs implements OnApplicationBootstrap {
  private readonly log = new Logger('SweepJobs');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerService,
    private readonly sweeps: SweepsService,
  ) {}

  onApplicationBootstrap(): void {
    const open = { name: 'weekly-sweep', cron: this.config.sweepCron ?? '', timezone: this.config.sweepTz, run: () => this.sweeps.openWeek(this.sweeps.weekOf(new Date()), JOB_ACTOR) };
    if (this.config.sweepCron && this.scheduler.schedule(open)) {
      // Catch up on a missed opening: when the next run is in a later week, this week's has passed.
      // Opening is idempotent, so an instance that finds the sweep already open changes nothing.
      const next = this.scheduler.nextRun(open.name);
      if (next && this.sweeps.weekOf(next) !== this.sweeps.weekOf(new Date())) {
        void this.scheduler.runNow(open).catch((e: Error) => this.log.error(`catch-up of the weekly sweep failed: ${e.message}`));
      }
    }
    if (this.config.sweepReminderCron) {
      this.scheduler.schedule({ name: 'sweep-reminders', cron: this.config.sweepReminderCron, timezone: this.config.sweepTz, run: () => this.sweeps.remindAndEscalate() });
    }
  }
}
