import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseStatusService } from '../database/database-status.service';
import type { UserActor } from '../authz/actor';

/** Health = database reachable and migrations current. Used by GET /health, the home page and `attest health`. */
@Injectable()
export class HealthService {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseStatusService,
  ) {}

  /** Throws a 503 (ServiceUnavailableException carrying the result) when something is down. */
  async check(): Promise<HealthCheckResult> {
    const s = await this.database.status();
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
    ]);
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
        'The database is unreachable or migrations are pending; an admin signed in sees which.',
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
