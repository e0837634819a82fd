import { Injectable } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseStatusService } from '../database/database-status.service';

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
        return pending.length === 0 ? migrations.up({ pending: 0 }) : migrations.down({ pending: pending.length, names: pending });
      },
    ]);
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
