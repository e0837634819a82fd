import type { HealthCheckResult } from '@nestjs/terminus';

export interface HomePage {
  title: string;
  healthy: boolean;
  checks: { name: string; up: boolean; detail: string }[];
}

/** View model of the home page: product name and health state. */
export function homePage(health: HealthCheckResult): HomePage {
  const checks = Object.entries(health.details).map(([name, result]) => {
    const { status, ...data } = result;
    return { name, up: status === 'up', detail: describe(name, data) };
  });
  return { title: 'Attest', healthy: health.status === 'ok', checks };
}

function describe(name: string, data: Record<string, unknown>): string {
  if (name === 'database')
    return data.serverVersion ? `PostgreSQL ${String(data.serverVersion)}` : String(data.message ?? '');
  if (name === 'migrations') return Number(data.pending) === 0 ? 'all applied' : `${String(data.pending)} pending`;
  return JSON.stringify(data);
}
