import { Logger } from '@nestjs/common';
import { Client } from 'pg';

/** First key of the two-key advisory locks that keep a job to one instance at a time. */
export const JOB_LOCK_NAMESPACE = 0x4a4f4253; // "JOBS"

/**
 * The cluster-wide job locks: session advisory locks, all held on one connection of their own, outside the
 * application's pool. A lock lives as long as its job runs; held on a pooled connection, every running job
 * took one connection from the pool for its whole run besides those its work needs, and when several jobs
 * fired at once (the top of the hour) the lock holders could take the whole pool and wait for each other
 * forever (test/integration/scheduler.int-spec.ts).
 *
 * Advisory locks are re-entrant within a session: the caller (SchedulerService) keeps this instance's own runs apart.
 * When the connection is lost, PostgreSQL has released its locks: jobs already running finish (they are
 * idempotent), and the next lock opens a new connection.
 */
export class JobLocks {
  private readonly log = new Logger('Scheduler');
  private client: Promise<Client> | null = null;

  constructor(private readonly url: string) {}

  /** True when this instance now holds the job's lock; false when a run, here or elsewhere, holds it. */
  tryLock(name: string): Promise<boolean> {
    return this.attempt(name).catch(async (e: Error) => {
      // The connection may have been lost since the last job (PostgreSQL restarted) without its 'error'
      // having arrived yet: once more on a new one. Whatever the lost one held is released with it.
      this.log.warn(`job lock connection failed (${e.message}); opening a new one`);
      await this.close();
      return this.attempt(name);
    });
  }

  private async attempt(name: string): Promise<boolean> {
    const [{ locked }] = await this.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
      [JOB_LOCK_NAMESPACE, name],
    );
    return locked;
  }

  /** Releases the job's lock; a lost connection has released it already. */
  async unlock(name: string): Promise<void> {
    try {
      await this.query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCK_NAMESPACE, name]);
    } catch (e) {
      this.log.warn(`${name}: lock not released (${(e as Error).message}); the connection's end releases it`);
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await client.then((c) => c.end()).catch(() => undefined);
  }

  private async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    const client = await (this.client ??= this.connect());
    return (await client.query(sql, params)).rows as T[];
  }

  private connect(): Promise<Client> {
    const client = new Client({ connectionString: this.url, application_name: 'attest-job-locks' });
    const forget = () => {
      if (this.client === opened) this.client = null;
    };
    // Without a listener, a connection lost while idle would be an unhandled 'error' and end the process.
    client.on('error', (e) => {
      this.log.warn(`job lock connection lost: ${e.message}`);
      forget();
    });
    client.on('end', forget);
    const opened = client.connect().then(
      () => client,
      (e: Error) => {
        forget();
        throw e;
      },
    );
    return opened;
  }
}
