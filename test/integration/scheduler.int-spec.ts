// The scheduler on a real PostgreSQL with a small pool: jobs fired together, locks held by another
// instance's session, the lock connection lost, and shutdown with jobs still waiting for a slot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { JOB_LOCK_NAMESPACE } from '../../src/jobs/job-locks';
import { JobsModule } from '../../src/jobs/jobs.module';
import { type ScheduledJob, SchedulerService } from '../../src/jobs/scheduler.service';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
let dataDir: string;
let moduleRef: TestingModule;
let ds: DataSource;
let scheduler: SchedulerService;
let other: Client; // another instance's session
let closed = false; // the shutdown test closes the module itself

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'attest-scheduler-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    JOBS_ENABLED: 'false', // nothing fires by the clock; the tests run jobs with runNow
    DB_POOL_SIZE: '2',
  });
  moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot({ migrate: false }), JobsModule],
  })
    .setLogger({ log: () => undefined, error: () => undefined, warn: () => undefined })
    .compile();
  await moduleRef.init();
  ds = moduleRef.get(DataSource);
  scheduler = moduleRef.get(SchedulerService);
  other = new Client({ connectionString: db.url });
  await other.connect();
});

afterAll(async () => {
  await other?.end();
  if (!closed) await moduleRef?.close();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const lockedByOther = async (name: string, lock: boolean) =>
  (
    await other.query<{ ok: boolean }>(
      `SELECT ${lock ? 'pg_try_advisory_lock' : 'pg_advisory_unlock'}($1, hashtext($2)) AS ok`,
      [JOB_LOCK_NAMESPACE, name],
    )
  ).rows[0].ok;

describe('jobs fired together on a pool of two connections', () => {
  it('all run to the end, one at a time, each holding a transaction and a second connection', async () => {
    // Before the locks moved off the pool, each job's lock took a pooled connection for its whole run: two
    // jobs held both connections and waited for a third forever (what stopped the weekly sweep in CI).
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const job = (name: string): ScheduledJob => ({
      name,
      cron: '0 0 1 1 *',
      run: () =>
        ds.transaction(async (m) => {
          most = Math.max(most, ++running);
          await m.query('SELECT pg_sleep(0.05)');
          await ds.query('SELECT 1'); // a second connection while the transaction holds the first
          running--;
          done.push(name);
        }),
    });
    const names = ['sweep', 'reminders', 'key-rotation', 'incident-alerts', 'packs', 'email'];
    const runs = names.map((n) => scheduler.runNow(job(n)));
    // A request meanwhile still gets a connection: jobs use at most half the pool.
    expect(await ds.query('SELECT 42 AS n')).toEqual([{ n: 42 }]);
    expect(await Promise.all(runs)).toEqual(names.map(() => true));
    expect(done.sort()).toEqual([...names].sort());
    expect(most).toBe(1);
  });
});

describe('the cluster-wide lock', () => {
  it("skips a run while another instance's session holds the job's lock, and runs once it is released", async () => {
    let runs = 0;
    const job: ScheduledJob = { name: 'held-elsewhere', cron: '0 0 1 1 *', run: async () => void runs++ };
    expect(await lockedByOther(job.name, true)).toBe(true);
    expect(await scheduler.runNow(job)).toBe(false);
    expect(runs).toBe(0);
    expect(await lockedByOther(job.name, false)).toBe(true);
    expect(await scheduler.runNow(job)).toBe(true);
    expect(runs).toBe(1);
  });

  it('holds the lock against other sessions while the job runs, and releases it when it ends (or fails)', async () => {
    const inside = gate();
    const finish = gate();
    const job: ScheduledJob = {
      name: 'held-here',
      cron: '0 0 1 1 *',
      run: async () => {
        inside.open();
        await finish.opened;
        throw new Error('the job fails');
      },
    };
    const run = scheduler.runNow(job);
    await inside.opened;
    expect(await lockedByOther(job.name, true)).toBe(false);
    expect(await scheduler.runNow(job)).toBe(false); // this instance's own run holds it too
    finish.open();
    expect(await run).toBe(true); // it ran; its failure is logged
    expect(await lockedByOther(job.name, true)).toBe(true);
    expect(await lockedByOther(job.name, false)).toBe(true);
  });

  it('opens a new lock connection when PostgreSQL ended the old one', async () => {
    let runs = 0;
    const job: ScheduledJob = { name: 'after-loss', cron: '0 0 1 1 *', run: async () => void runs++ };
    expect(await scheduler.runNow(job)).toBe(true);
    const ended = await other.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'attest-job-locks'`,
    );
    expect(ended.rows).toEqual([{ ended: true }]);
    expect(await scheduler.runNow(job)).toBe(true);
    expect(await scheduler.runNow(job)).toBe(true);
    expect(runs).toBe(3);
  });
});

describe('shutdown', () => {
  it('waits for the running job, and a job still waiting for a slot does not start', async () => {
    const inside = gate();
    const finish = gate();
    let waitingRan = false;
    const first = scheduler.runNow({
      name: 'long',
      cron: '0 0 1 1 *',
      run: async () => {
        inside.open();
        await finish.opened;
      },
    });
    await inside.opened;
    const waiting = scheduler.runNow({ name: 'queued', cron: '0 0 1 1 *', run: async () => void (waitingRan = true) });
    closed = true;
    const closing = moduleRef.close();
    finish.open();
    await closing;
    expect(await first).toBe(true);
    expect(await waiting).toBe(false);
    expect(waitingRan).toBe(false);
  });
});
