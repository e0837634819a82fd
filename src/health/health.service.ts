import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { join } from 'node:path';
import { ownedName } from '../common/fs/leftovers';
import { canWrite, freeBytes } from '../common/fs/storage-space';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DatabaseStatusService } from '../database/database-status.service';
import type { UserActor } from '../authz/actor';

/**
 * Health = database reachable, migrations current, and DATA_DIR writable. Used by GET /health, the home
 * page and `attest health`. Storage below STORAGE_RESERVE_BYTES is reported (`low`) without taking the
 * instance out: uploads are refused (507) but everything else still works.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseStatusService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Throws a 503 (ServiceUnavailableException carrying the result) when something is down. */
  async check(): Promise<HealthCheckResult> {
    const [s, storage] = await Promise.all([this.database.status(), this.storage()]);
    return this.checks.check([
      () => {
        const database = this.indicators.check('database');
        return s.reachable
          ? database.up({ target: s.target, serverVersion: s.serverVersion })
          : database.down({ target: s.target, message: s.error ?? 'unreachable' });
      },
      () => {
        const pending = s.pendingMigrations;
        const migrations = this.indicators.check('migrations');
        return pending.length === 0
          ? migrations.up({ pending: 0 })
          : migrations.down({ pending: pending.length, names: pending });
      },
      () => {
        const indicator = this.indicators.check('storage');
        const details = { freeBytes: storage.free, reserveBytes: this.config.storageReserveBytes };
        return storage.writable
          ? indicator.up({ ...details, low: storage.free !== null && storage.free < details.reserveBytes })
          : indicator.down({ ...details, message: 'DATA_DIR refuses writes (full or read-only)' });
      },
    ]);
  }

  /** Free bytes under DATA_DIR and whether a tiny file can be written there. */
  private async storage(): Promise<{ free: number | null; writable: boolean }> {
    const dir = join(this.config.dataDir, 'tmp');
    const writable = await canWrite(dir, ownedName('health'));
    const free = await freeBytes(this.config.dataDir).catch(() => null);
    return { free, writable };
  }

  /**
   * GET /health: the status for everyone (load balancers, uptime checks), the details (database target,
   * server version, pending migrations) only for a signed-in admin: they name paths, hosts and ports.
   */
  async checkFor(actor: UserActor | undefined): Promise<HealthCheckResult | { status: 'ok' }> {
    if (actor?.role === 'admin') return this.check();
    const result = await this.summary();
    if (result.status !== 'ok')
      throw new ServiceUnavailableException(
        'The database is unreachable, migrations are pending or storage refuses writes; an admin signed in sees which.',
      );
    return { status: 'ok' };
  }

  /** The same result without throwing, for pages and the CLI. */
  async summary(): Promise<HealthCheckResult> {
    try {
      return await this.check();
    } catch (e) {
      const response = (e as { getResponse?: () => unknown }).getResponse?.();
      if (response && typeof response === 'object' && 'status' in response) return response as HealthCheckResult;
      throw e;
    }
  }
}
