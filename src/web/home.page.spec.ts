import type { HealthCheckResult } from '@nestjs/terminus';
import { homePage } from './home.page';

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
});
