// Reads controls/ (departments.yaml, frameworks/*.yaml, controls/*.yaml), validates every file against
// its schema and the files against each other, and reports every problem as `file:line: message`.
// Each file is read by catalog-yaml.ts (core-schema YAML, no anchors, aliases or custom tags, size-capped).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { departmentsFileSchema } from '../identity/domain/departments-file';
import { ParsedFile, parseFile, yamlFiles, zodProblems } from './catalog-yaml';
import {
  CADENCES,
  Catalog,
  CatalogControl,
  CatalogFramework,
  CatalogProblem,
  COLLECTORS,
  MAX_INTERVAL_DAYS,
} from './domain/catalog-model';

export { MAX_FILE_BYTES, parseFile, parseYamlText, zodProblems, type ParsedFile } from './catalog-yaml';

const REF = /^[A-Za-z0-9][A-Za-z0-9().-]{0,40}$/;
const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const frameworkFileSchema = z
  .object({
    framework: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'must be a lower-case key'),
    name: text(200),
    version: text(100),
    description: text(2000).optional(),
    requirements: z
      .array(
        z
          .object({
            ref: z.string().regex(REF, 'must be an identifier like CC6.1, s30 or 7.3'),
            group: text(200),
            title: text(200),
            not_applicable: text(500).optional(),
          })
          .strict(),
      )
      .min(1, 'must list at least one requirement'),
  })
  .strict();

const controlsFileSchema = z
  .object({
    controls: z
      .array(
        z
          .object({
            key: z.string().regex(/^[A-Z]{2,5}-\d{2,3}$/, 'must look like PRV-01'),
            title: text(200),
            description: text(4000),
            owner: z.string().min(1),
            cadence: z.enum(CADENCES),
            max_interval_days: z
              .number()
              .int('must be a whole number of days')
              .min(MAX_INTERVAL_DAYS.min, `must be at least ${MAX_INTERVAL_DAYS.min}`)
              .max(MAX_INTERVAL_DAYS.max, `must be at most ${MAX_INTERVAL_DAYS.max} (three years)`)
              .optional(),
            evidence: z.array(text(300)).min(1, 'must say what evidence to attach').max(10),
            collector: z.enum(COLLECTORS).optional(),
            maps: z
              .record(z.string(), z.array(z.string()).min(1, 'must list at least one requirement'))
              .refine((m) => Object.keys(m).length > 0, 'must map to at least one framework'),
          })
          .strict(),
      )
      .min(1, 'must list at least one control'),
  })
  .strict();

export interface LoadedCatalog {
  catalog: Catalog | null;
  problems: CatalogProblem[];
}

/** Loads and validates the whole catalog. `catalog` is null when there is any problem. */
export function loadCatalog(dir: string): LoadedCatalog {
  const problems: CatalogProblem[] = [];
  const departments = loadDepartments(dir, problems);
  const frameworks = loadFrameworks(dir, problems);
  const catalog: Catalog = {
    departments: departments ?? [],
    frameworks: frameworks.frameworks,
    controls: loadControls(dir, problems, {
      departmentKeys: departments ? new Set(departments.map((d) => d.key)) : null,
      refsByFramework: new Map(frameworks.frameworks.map((f) => [f.key, new Set(f.requirements.map((r) => r.ref))])),
      attempted: frameworks.attempted,
    }),
  };
  if (problems.length === 0) checkCoverage(catalog, frameworks.requirementLines, problems);
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { catalog: problems.length ? null : catalog, problems };
}

/** departments.yaml's departments; null when it is missing or has a problem. */
export function loadDepartments(dir: string, problems: CatalogProblem[]): Catalog['departments'] | null {
  const departmentsPath = join(dir, 'departments.yaml');
  try {
    statSync(departmentsPath);
    const parsed = parseFile(dir, departmentsPath, problems);
    if (!parsed) return null;
    const result = departmentsFileSchema.safeParse(parsed.value);
    if (!result.success) {
      zodProblems(parsed, result.error, problems);
      return null;
    }
    const seen = new Map<string, number>();
    result.data.departments.forEach((d, i) => {
      if (seen.has(d.key))
        problems.push({
          file: parsed.file,
          line: parsed.lineOf(['departments', i, 'key']),
          message: `department "${d.key}" is listed twice`,
        });
      seen.set(d.key, i);
    });
    return result.data.departments;
  } catch {
    problems.push({ file: 'departments.yaml', line: 1, message: 'file is missing' });
    return null;
  }
}

interface LoadedFrameworks {
  frameworks: CatalogFramework[];
  /** Line of each requirement's ref, by `framework:ref`. */
  requirementLines: Map<string, number>;
  /** Frameworks whose file exists but failed: controls mapping to them get no second, misleading problem. */
  attempted: Set<string>;
}

function loadFrameworks(dir: string, problems: CatalogProblem[]): LoadedFrameworks {
  const frameworkFiles = yamlFiles(join(dir, 'frameworks'));
  if (frameworkFiles.length === 0) problems.push({ file: 'frameworks/', line: 1, message: 'no framework files' });
  const loaded: LoadedFrameworks = { frameworks: [], requirementLines: new Map(), attempted: new Set() };
  const frameworkLines = new Map<string, { file: string; line: number }>();
  for (const path of frameworkFiles) {
    loaded.attempted.add(path.replace(/^.*\//, '').replace(/\.ya?ml$/, ''));
    const parsed = parseFile(dir, path, problems);
    if (!parsed) continue;
    const result = frameworkFileSchema.safeParse(parsed.value);
    if (!result.success) {
      zodProblems(parsed, result.error, problems);
      continue;
    }
    const f = result.data;
    const expectedKey = path.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
    if (f.framework !== expectedKey) {
      problems.push({
        file: parsed.file,
        line: parsed.lineOf(['framework']),
        message: `framework "${f.framework}" must be named like its file ("${expectedKey}")`,
      });
      continue;
    }
    const earlier = frameworkLines.get(f.framework);
    if (earlier) {
      problems.push({
        file: parsed.file,
        line: parsed.lineOf(['framework']),
        message: `framework "${f.framework}" is already defined in ${earlier.file}:${earlier.line}`,
      });
      continue;
    }
    frameworkLines.set(f.framework, { file: parsed.file, line: parsed.lineOf(['framework']) });
    loaded.frameworks.push(frameworkOf(parsed, f, loaded.requirementLines, problems));
  }
  return loaded;
}

/** The framework of a valid file, its requirements' lines recorded; a ref listed twice is a problem. */
function frameworkOf(
  parsed: ParsedFile,
  f: z.infer<typeof frameworkFileSchema>,
  requirementLines: Map<string, number>,
  problems: CatalogProblem[],
): CatalogFramework {
  const refs = new Map<string, number>();
  f.requirements.forEach((r, i) => {
    const line = parsed.lineOf(['requirements', i, 'ref']);
    requirementLines.set(`${f.framework}:${r.ref}`, line);
    if (refs.has(r.ref))
      problems.push({
        file: parsed.file,
        line,
        message: `requirement "${r.ref}" is already listed at line ${refs.get(r.ref)}`,
      });
    else refs.set(r.ref, line);
  });
  return {
    key: f.framework,
    name: f.name,
    version: f.version,
    description: f.description ?? null,
    file: parsed.file,
    requirements: f.requirements.map((r, i) => ({
      ref: r.ref,
      group: r.group,
      title: r.title,
      notApplicable: r.not_applicable ?? null,
      position: i,
    })),
  };
}

/** What controls are checked against: the departments (null when departments.yaml failed) and frameworks. */
interface ControlContext {
  departmentKeys: Set<string> | null;
  refsByFramework: Map<string, Set<string>>;
  attempted: Set<string>;
}

type ControlEntry = z.infer<typeof controlsFileSchema>['controls'][number];

function loadControls(dir: string, problems: CatalogProblem[], context: ControlContext): CatalogControl[] {
  const controlFiles = yamlFiles(join(dir, 'controls'));
  if (controlFiles.length === 0) problems.push({ file: 'controls/', line: 1, message: 'no control files' });
  const controls: CatalogControl[] = [];
  const controlLines = new Map<string, string>();
  for (const path of controlFiles) {
    const parsed = parseFile(dir, path, problems);
    if (!parsed) continue;
    const result = controlsFileSchema.safeParse(parsed.value);
    if (!result.success) {
      zodProblems(parsed, result.error, problems);
      continue;
    }
    result.data.controls.forEach((c, i) => {
      const line = (...p: PropertyKey[]) => parsed.lineOf(['controls', i, ...p]);
      const earlier = controlLines.get(c.key);
      if (earlier)
        problems.push({
          file: parsed.file,
          line: line('key'),
          message: `control "${c.key}" is already defined in ${earlier}`,
        });
      else controlLines.set(c.key, `${parsed.file}:${line('key')}`);
      checkControl(c, (message, ...p) => problems.push({ file: parsed.file, line: line(...p), message }), context);
      controls.push({
        key: c.key,
        title: c.title,
        description: c.description,
        owner: c.owner,
        cadence: c.cadence,
        maxIntervalDays: c.max_interval_days ?? null,
        evidence: c.evidence,
        collector: c.collector ?? null,
        maps: c.maps,
        position: controls.length,
        file: parsed.file,
      });
    });
  }
  return controls;
}

/** A control's cadence, owner and mapping against the rest of the catalog; `problem` names the key at fault. */
function checkControl(
  c: ControlEntry,
  problem: (message: string, ...path: PropertyKey[]) => void,
  { departmentKeys, refsByFramework, attempted }: ControlContext,
): void {
  if (c.cadence === 'event' && c.max_interval_days === undefined)
    problem('cadence event needs max_interval_days: the longest gap allowed between two occurrences', 'cadence');
  if (c.cadence !== 'event' && c.max_interval_days !== undefined)
    problem(`max_interval_days belongs to cadence event only (this control is ${c.cadence})`, 'max_interval_days');
  if (departmentKeys && !departmentKeys.has(c.owner))
    problem(`owner "${c.owner}" is not a department in departments.yaml`, 'owner');
  for (const [fw, refs] of Object.entries(c.maps)) {
    const known = refsByFramework.get(fw);
    if (!known) {
      if (!attempted.has(fw)) problem(`maps: unknown framework "${fw}"`, 'maps', fw);
      continue;
    }
    refs.forEach((ref, j) => {
      if (!known.has(ref)) problem(`maps: ${fw} has no requirement "${ref}"`, 'maps', fw, j);
    });
    const dup = refs.find((r, j) => refs.indexOf(r) !== j);
    if (dup) problem(`maps: ${fw} lists "${dup}" twice`, 'maps', fw);
  }
}

/** Coverage: every requirement is satisfied by a control or says why it does not apply. */
function checkCoverage(catalog: Catalog, requirementLines: Map<string, number>, problems: CatalogProblem[]): void {
  const mapped = new Set(
    catalog.controls.flatMap((c) => Object.entries(c.maps).flatMap(([fw, refs]) => refs.map((r) => `${fw}:${r}`))),
  );
  for (const f of catalog.frameworks) {
    f.requirements.forEach((r) => {
      if (!r.notApplicable && !mapped.has(`${f.key}:${r.ref}`)) {
        problems.push({
          file: f.file,
          line: requirementLines.get(`${f.key}:${r.ref}`) ?? 1,
          message: `requirement "${r.ref}" is not mapped by any control and has no not_applicable reason`,
        });
      }
    });
  }
}
