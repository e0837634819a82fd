import type { HealthCheckResult } from '@nestjs/terminus';

export interface HomePage {
  title: string;
  healthy: boolean;
  checks: { name: string; up: boolean; detail: string }[];
}

/**
 * View model of the home page: product name and health state. The page is public, so like `/health` it
 * shows the details (database version, the driver's error text with its host and port, the number of
 * pending migrations) only to a signed-in admin (`details`); everyone else sees up or down.
 */
export function homePage(health: HealthCheckResult, details = false): HomePage {
  const checks = Object.entries(health.details).map(([name, result]) => {
    const { status, ...data } = result;
    const up = status === 'up';
    return { name, up, detail: details ? describe(name, data) : summary(name, up) };
  });
  return { title: 'Attest', healthy: health.status === 'ok', checks };
}

function summary(name: string, up: boolean): string {
  if (name === 'database') return up ? 'PostgreSQL reachable' : 'PostgreSQL unreachable';
  if (name === 'migrations') return up ? 'all applied' : 'not all applied';
  return up ? 'up' : 'down';
}

function describe(name: string, data: Record<string, unknown>): string {
  if (name === 'database')
    return data.serverVersion ? `PostgreSQL ${String(data.serverVersion)}` : String(data.message ?? '');
  if (name === 'migrations') return Number(data.pending) === 0 ? 'all applied' : `${String(data.pending)} pending`;
  return JSON.stringify(data);
}
