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
  if (name === 'storage') return up ? 'writable' : 'refuses writes';
  return up ? 'up' : 'down';
}

function describe(name: string, data: Record<string, unknown>): string {
  if (name === 'database')
    return data.serverVersion ? `PostgreSQL ${String(data.serverVersion)}` : String(data.message ?? '');
  if (name === 'migrations') return Number(data.pending) === 0 ? 'all applied' : `${String(data.pending)} pending`;
  if (name === 'storage') {
    if (data.message) return String(data.message);
    const free = typeof data.freeBytes === 'number' ? `${bytes(data.freeBytes)} free` : 'free space unknown';
    return data.low ? `low: ${free}, below the reserve of ${bytes(Number(data.reserveBytes))}` : free;
  }
  return JSON.stringify(data);
}

/** 1536 → "1.5 KiB", 91234567890 → "85.0 GiB". */
export function bytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v.toFixed(1)} ${units[u]}`;
}
