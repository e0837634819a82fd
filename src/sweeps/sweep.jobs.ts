import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { actorRef, systemActor } from '../authz/actor';
import { SchedulerService } from '../jobs/scheduler.service';
import { SweepLifecycleService } from './sweep-lifecycle.service';
import { SweepRemindersService } from './sweep-reminders.service';
import { SweepsService } from './sweeps.service';

const JOB_ACTOR = actorRef(systemActor('job:weekly-sweep'));

/**
 * Opens the week's sweep on SWEEP_CRON (default Monday 09:00 in TZ_COMPLIANCE) and sends reminders on
 * SWEEP_REMINDER_CRON; catchUp() opens the current week at start when its scheduled time has passed.
 */
@Injectable()
export class SweepJobs implements OnApplicationBootstrap {
  private readonly log = new Logger('SweepJobs');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerService,
    private readonly sweeps: SweepsService,
    private readonly lifecycle: SweepLifecycleService,
    private readonly reminders: SweepRemindersService,
  ) {}

  private get open() {
    return {
      name: 'weekly-sweep',
      cron: this.config.sweepCron ?? '',
      timezone: this.config.timeZone,
      run: () => this.lifecycle.openWeek(this.sweeps.weekOf(new Date()), JOB_ACTOR),
    };
  }

  onApplicationBootstrap(): void {
    if (this.config.sweepCron) this.scheduler.schedule(this.open);
    if (this.config.sweepReminderCron) {
      this.scheduler.schedule({
        name: 'sweep-reminders',
        cron: this.config.sweepReminderCron,
        timezone: this.config.timeZone,
        run: () => this.reminders.remindAndEscalate(),
      });
    }
  }

  /**
   * Catches up on a missed opening (the instance that should have opened this week's sweep was down, or
   * crashed mid-way): when the schedule's next run is in a later week, this week's has passed. Called by
   * the server once it is fully started (the catalog synced), not from a bootstrap hook, whose order
   * relative to the catalog sync Nest does not guarantee. Opening is idempotent.
   */
  async catchUp(): Promise<void> {
    const next = this.scheduler.nextRun(this.open.name);
    if (!next || this.sweeps.weekOf(next) === this.sweeps.weekOf(new Date())) return;
    await this.scheduler
      .runNow(this.open)
      .catch((e: Error) => this.log.error(`catch-up of the weekly sweep failed: ${e.message}`));
  }
}
