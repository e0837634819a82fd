// Reads controls/incident-policy.yaml with the catalog's YAML rules (core schema; no anchors, aliases or
// custom tags; 256 KB at most), checks its schema and the policy rules, and reports every problem as
// `file:line: message`.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseFile, zodProblems } from '../catalog/catalog-loader';
import type { CatalogProblem } from '../catalog/domain/catalog-model';
import { ADVERSE_EVENT_CATEGORIES, validateIncidentPolicy, type IncidentPolicy } from './domain/incident-policy';

export const INCIDENT_POLICY_FILE = 'incident-policy.yaml';

const hours = z
  .number({ error: 'must be a number of hours' })
  .positive('must be more than 0 hours')
  .max(24 * 366, 'must be at most a year of hours');
const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const regulatoryClock = z.object({ hours, source: text(300) }).strict();

const policySchema = z
  .object({
    severities: z.array(
      z
        .object({
          key: z.string(),
          name: text(60),
          acknowledgeHours: hours,
          updateHours: hours.optional(),
          escalateAtOnce: z.boolean(),
        })
        .strict(),
    ),
    remindBeforeHours: hours,
    regulatory: z
      .object({
        breachOffice: regulatoryClock,
        breachSubjects: regulatoryClock,
        adverseEvent: z.object(Object.fromEntries(ADVERSE_EVENT_CATEGORIES.map((c) => [c, regulatoryClock]))).strict(),
        adverseEventFollowUp: regulatoryClock,
        fsca: regulatoryClock,
        fscaFollowUp: regulatoryClock,
      })
      .strict(),
  })
  .strict();

export interface LoadedIncidentPolicy {
  policy: IncidentPolicy | null;
  problems: CatalogProblem[];
}

/** Loads and validates `<dir>/incident-policy.yaml`. `policy` is null when there is any problem. */
export function loadIncidentPolicy(dir: string): LoadedIncidentPolicy {
  const path = join(dir, INCIDENT_POLICY_FILE);
  try {
    statSync(path);
  } catch {
    return { policy: null, problems: [{ file: INCIDENT_POLICY_FILE, line: 1, message: 'file is missing' }] };
  }
  const problems: CatalogProblem[] = [];
  const parsed = parseFile(dir, path, problems);
  if (!parsed) return { policy: null, problems };
  const result = policySchema.safeParse(parsed.value);
  if (!result.success) {
    zodProblems(parsed, result.error, problems);
    return { policy: null, problems };
  }
  const policy = result.data as IncidentPolicy;
  for (const p of validateIncidentPolicy(policy))
    problems.push({ file: parsed.file, line: parsed.lineOf(p.path), message: p.message });
  problems.sort((a, b) => a.line - b.line);
  return { policy: problems.length ? null : policy, problems };
}
