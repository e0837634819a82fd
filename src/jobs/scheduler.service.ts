import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import cron, { type ScheduledTask } from 'node-cron';
import { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { complianceTimeZone } from '../common/time/zone';
import { JobLocks } from './job-locks';
import { Slots } from './slots';

export interface ScheduledJob {
  /** Unique name: the lock key and the log label. */
  name: string;
  cron: string;
  timezone?: string;
  /** One idempotent service call. */
  run: () => Promise<unknown>;
}

/**
 * The one wrapper around node-cron. Each run holds a cluster-wide advisory lock named after the job (an
 * instance that finds it taken skips that run; the locks live on a connection of their own, see JobLocks),
 * never overlaps itself, and is logged with its duration. At most half the pool's connections' worth of
 * jobs run at once (at least one), so that jobs firing together leave connections for requests; the others
 * wait for a slot. With JOBS_ENABLED=false nothing is scheduled. Tasks stop, and running jobs are awaited,
 * on shutdown; jobs still waiting for a slot then do not start.
 */
@Injectable()
export class SchedulerService implements OnModuleDestroy {
  private readonly log = new Logger('Scheduler');
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly locks: JobLocks;
  private readonly slots: Slots;
  private readonly active = new Set<string>(); // names of the jobs running or waiting for a slot here
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() ds: DataSource,
  ) {
    this.locks = new JobLocks((ds.options as PostgresDataSourceOptions).url ?? '');
    this.slots = new Slots(Math.max(1, Math.floor(config.dbPoolSize / 2)));
  }

  /** Schedules the job; false when jobs are disabled. */
  schedule(job: ScheduledJob): boolean {
    if (!this.config.jobsEnabled) {
      this.log.debug(`${job.name} not scheduled: JOBS_ENABLED is false`);
      return false;
    }
    const task = cron.schedule(job.cron, () => this.track(this.runLocked(job)), {
      name: job.name,
      timezone: job.timezone ?? complianceTimeZone(), // not the process's zone, which cron would use
      noOverlap: true,
    });
    this.tasks.push(task);
    this.log.log(
      `${job.name} scheduled (${job.cron}, ${job.timezone ?? complianceTimeZone()}); next run ${task.getNextRun()?.toISOString() ?? 'never'}`,
    );
    return true;
  }

  /** When a scheduled job runs next (null when it is not scheduled here). */
  nextRun(name: string): Date | null {
    return this.tasks.find((t) => t.name === name)?.getNextRun() ?? null;
  }

  /** Runs a job now, under its lock, as a scheduled run would; false when another instance holds the lock. */
  runNow(job: ScheduledJob): Promise<boolean> {
    const run = this.runLocked(job);
    void this.track(run); // shutdown waits for it like for a scheduled run
    return run;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const task of this.tasks.splice(0)) await task.destroy();
    await Promise.allSettled([...this.running]);
    await this.locks.close();
  }

  private async track(run: Promise<boolean>): Promise<void> {
    const settled = run.then(() => undefined);
    this.running.add(settled);
    try {
      await settled;
    } finally {
      this.running.delete(settled);
    }
  }

  private async runLocked(job: ScheduledJob): Promise<boolean> {
    // A run of the same job here, running or waiting for a slot, makes this one redundant.
    if (this.active.has(job.name)) return false;
    this.active.add(job.name);
    const release = await this.slots.acquire();
    try {
      if (this.stopping) return false;
      if (!(await this.tryLock(job.name))) return false;
      try {
        await this.run(job);
      } finally {
        await this.locks.unlock(job.name);
      }
      return true;
    } finally {
      release();
      this.active.delete(job.name);
    }
  }

  private async tryLock(name: string): Promise<boolean> {
    try {
      if (await this.locks.tryLock(name)) return true;
      this.log.debug(`${name} skipped: another run is holding its lock`);
    } catch (e) {
      this.log.error(`${name} could not run: ${(e as Error).message}`);
    }
    return false;
  }

  private async run(job: ScheduledJob): Promise<void> {
    const started = Date.now();
    this.log.log(`${job.name} started`);
    try {
      await job.run();
      this.log.log(`${job.name} finished in ${Date.now() - started} ms`);
    } catch (e) {
      this.log.error(
        `${job.name} failed after ${Date.now() - started} ms: ${(e as Error).message}`,
        (e as Error).stack,
      );
    }
  }
}
