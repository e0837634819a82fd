import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import cron, { type ScheduledTask } from 'node-cron';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { complianceTimeZone } from '../common/time/zone';

/** First key of the two-key advisory locks that keep a job to one instance at a time. */
const JOB_LOCK_NAMESPACE = 0x4a4f4253; // "JOBS"

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
 * instance that finds it taken skips that run), never overlaps itself, and is logged with its duration.
 * With JOBS_ENABLED=false nothing is scheduled. Tasks stop, and running jobs are awaited, on shutdown.
 */
@Injectable()
export class SchedulerService implements OnModuleDestroy {
  private readonly log = new Logger('Scheduler');
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

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
    for (const task of this.tasks.splice(0)) await task.destroy();
    await Promise.allSettled([...this.running]);
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
    const runner = this.ds.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [
        JOB_LOCK_NAMESPACE,
        job.name,
      ]);
      if (!locked) {
        this.log.debug(`${job.name} skipped: another instance is running it`);
        return false;
      }
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
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCK_NAMESPACE, job.name]);
      }
      return true;
    } catch (e) {
      this.log.error(`${job.name} could not run: ${(e as Error).message}`);
      return false;
    } finally {
      await runner.release();
    }
  }
}
