import type { HealthCheckResult } from '@nestjs/terminus';
import { bytes, homePage } from './home.page';

const down: HealthCheckResult = {
  status: 'error',
  info: {},
  error: {},
  details: {
    database: { status: 'down', message: 'connect ECONNREFUSED 10.0.0.5:5432' },
    migrations: { status: 'down', pending: 2 },
  },
};
const up: HealthCheckResult = {
  status: 'ok',
  info: {},
  error: {},
  details: { database: { status: 'up', serverVersion: '15.18' }, migrations: { status: 'up', pending: 0 } },
};

describe('homePage', () => {
  it('tells anyone whether the database and migrations are up, without the driver’s error or the version', () => {
    const page = homePage(down);
    expect(page.healthy).toBe(false);
    expect(page.checks).toEqual([
      { name: 'database', up: false, detail: 'PostgreSQL unreachable' },
      { name: 'migrations', up: false, detail: 'not all applied' },
    ]);
    expect(JSON.stringify(homePage(up))).not.toContain('15.18');
  });

  it('gives a signed-in admin the details', () => {
    expect(homePage(down, true).checks.map((c) => c.detail)).toEqual([
      'connect ECONNREFUSED 10.0.0.5:5432',
      '2 pending',
    ]);
    expect(homePage(up, true).checks.map((c) => c.detail)).toEqual(['PostgreSQL 15.18', 'all applied']);
  });

  it('words storage for people (free space, low below the reserve, writes refused), never as raw JSON', () => {
    const storage = (details: Record<string, unknown>, status: 'up' | 'down' = 'up'): HealthCheckResult => ({
      ...up,
      details: { storage: { status, ...details } },
    });
    const GiB = 1024 ** 3;
    const reserve = 64 * 1024 ** 2;
    expect(homePage(storage({ freeBytes: 85 * GiB, reserveBytes: reserve, low: false }), true).checks[0].detail).toBe(
      '85.0 GiB free',
    );
    expect(homePage(storage({ freeBytes: 1536, reserveBytes: reserve, low: true }), true).checks[0].detail).toBe(
      'low: 1.5 KiB free, below the reserve of 64.0 MiB',
    );
    const refused = storage({ freeBytes: 0, reserveBytes: reserve, message: 'DATA_DIR refuses writes' }, 'down');
    expect(homePage(refused, true).checks[0].detail).toBe('DATA_DIR refuses writes');
    expect(homePage(refused).checks[0].detail).toBe('refuses writes');
    expect(bytes(0)).toBe('0 bytes');
    expect(bytes(1023)).toBe('1023 bytes');
  });
});
