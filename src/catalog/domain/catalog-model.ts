// The catalog as the YAML files describe it, after validation. Pure types and rules: no Nest, no TypeORM.

/**
 * Calendar cadences give one task per period in the weekly sweep; `event` is evidence per occurrence (a
 * release, a penetration test): no task by calendar, and fresh while the newest evidence is within the
 * control's `max_interval_days` (the longest gap allowed between two occurrences).
 */
export const CADENCES = ['weekly', 'monthly', 'quarterly', 'annual', 'event'] as const;
export type Cadence = (typeof CADENCES)[number];

/** Bounds of `max_interval_days` for an event cadence: a day to three years. */
export const MAX_INTERVAL_DAYS = { min: 1, max: 1096 } as const;

/** Automated collectors a control may name (the evidence issue implements them). */
export const COLLECTORS = [
  'dsr-register',
  'dsr-drill',
  'incident-register',
  'risk-review',
  'posture',
  'sweep-summary',
  'audit-trail-verify',
  'access-review',
  'user-roster',
  'policy-status',
  'key-register',
  'release-register',
  'finding-register',
] as const;

export interface CatalogRequirement {
  ref: string;
  group: string;
  title: string;
  notApplicable: string | null;
  /** Order in the file. */
  position: number;
}

export interface CatalogFramework {
  key: string;
  name: string;
  version: string;
  description: string | null;
  requirements: CatalogRequirement[];
  file: string;
}

export interface CatalogControl {
  key: string;
  title: string;
  description: string;
  owner: string;
  cadence: Cadence;
  /** Event cadence only: the longest gap allowed between two occurrences' evidence, in days. */
  maxIntervalDays: number | null;
  evidence: string[];
  collector: string | null;
  /** framework key → requirement refs */
  maps: Record<string, string[]>;
  position: number;
  file: string;
}

export interface Catalog {
  departments: { key: string; name: string }[];
  frameworks: CatalogFramework[];
  controls: CatalogControl[];
}

export interface CatalogProblem {
  file: string;
  line: number;
  message: string;
}

export function formatProblem(p: CatalogProblem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

export interface Coverage {
  framework: string;
  total: number;
  covered: number;
  notApplicable: number;
  uncovered: string[];
}

/** Requirements mapped by at least one control are covered; the rest are N/A (with a reason) or uncovered. */
export function coverageOf(framework: CatalogFramework, controls: CatalogControl[]): Coverage {
  const mapped = new Set(controls.flatMap((c) => c.maps[framework.key] ?? []));
  let covered = 0;
  let notApplicable = 0;
  const uncovered: string[] = [];
  for (const r of framework.requirements) {
    if (mapped.has(r.ref)) covered++;
    else if (r.notApplicable) notApplicable++;
    else uncovered.push(r.ref);
  }
  return { framework: framework.key, total: framework.requirements.length, covered, notApplicable, uncovered };
}
