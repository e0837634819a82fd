// Reads controls/ (departments.yaml, frameworks/*.yaml, controls/*.yaml), validates every file against
// its schema and the files against each other, and reports every problem as `file:line: message`.
// YAML is parsed with the core schema only; anchors, aliases and custom tags are refused, and so are
// files over MAX_FILE_BYTES (a catalog is reviewed text, not data).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Document, isAlias, isNode, LineCounter, parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { departmentsFileSchema } from '../identity/domain/departments-file';
import {
  CADENCES,
  Catalog,
  CatalogControl,
  CatalogFramework,
  CatalogProblem,
  COLLECTORS,
  MAX_INTERVAL_DAYS,
} from './domain/catalog-model';

export const MAX_FILE_BYTES = 256 * 1024;

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

export interface ParsedFile {
  file: string;
  value: unknown;
  /** Line (1-based) of the node at a path, or of its nearest ancestor that exists. */
  lineOf(path: readonly PropertyKey[]): number;
}

export function parseFile(dir: string, path: string, problems: CatalogProblem[]): ParsedFile | null {
  const file = relative(dir, path) || path;
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) {
    problems.push({ file, line: 1, message: `file is ${size} bytes; the limit is ${MAX_FILE_BYTES}` });
    return null;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(path, 'utf8'), {
    lineCounter,
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: false,
  });
  const at = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const before = problems.length;
  for (const e of [...doc.errors, ...doc.warnings])
    problems.push({ file, line: at(e.pos[0]), message: e.message.split('\n')[0] });
  visit(doc, (_key, node) => {
    if (isAlias(node))
      problems.push({ file, line: at(node.range?.[0]), message: `YAML aliases (*${node.source}) are not allowed` });
    else if (isNode(node)) {
      if (node.anchor)
        problems.push({ file, line: at(node.range?.[0]), message: `YAML anchors (&${node.anchor}) are not allowed` });
      if (node.tag && !node.tag.startsWith('tag:yaml.org,2002:'))
        problems.push({ file, line: at(node.range?.[0]), message: `custom YAML tags (${node.tag}) are not allowed` });
    }
  });
  if (problems.length > before) return null;
  return {
    file,
    value: doc.toJS({ maxAliasCount: 0 }),
    lineOf: (p) => lineOfPath(doc, p, at),
  };
}

function lineOfPath(doc: Document, path: readonly PropertyKey[], at: (offset: number | undefined) => number): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return at(node.range[0]);
  }
  return 1;
}

export function zodProblems(parsed: ParsedFile, error: z.ZodError, problems: CatalogProblem[]): void {
  for (const issue of error.issues) {
    const where = issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    if (issue.code === 'invalid_value' && 'values' in issue)
      message = `must be one of ${issue.values.map(String).join(', ')}`;
    problems.push({ file: parsed.file, line: parsed.lineOf(issue.path), message: `${where}${message}` });
  }
}

function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export interface LoadedCatalog {
  catalog: Catalog | null;
  problems: CatalogProblem[];
}

/** Loads and validates the whole catalog. `catalog` is null when there is any problem. */
export function loadCatalog(dir: string): LoadedCatalog {
  const problems: CatalogProblem[] = [];
  const catalog: Catalog = { departments: [], frameworks: [], controls: [] };

  // Departments
  const departmentsPath = join(dir, 'departments.yaml');
  let departmentsOk = false;
  try {
    statSync(departmentsPath);
    const parsed = parseFile(dir, departmentsPath, problems);
    if (parsed) {
      const result = departmentsFileSchema.safeParse(parsed.value);
      if (!result.success) zodProblems(parsed, result.error, problems);
      else {
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
        catalog.departments = result.data.departments;
        departmentsOk = true;
      }
    }
  } catch {
    problems.push({ file: 'departments.yaml', line: 1, message: 'file is missing' });
  }

  // Frameworks
  const frameworkFiles = yamlFiles(join(dir, 'frameworks'));
  if (frameworkFiles.length === 0) problems.push({ file: 'frameworks/', line: 1, message: 'no framework files' });
  const frameworkLines = new Map<string, { file: string; line: number }>();
  const requirementLines = new Map<string, number>();
  // Frameworks whose file exists but failed: controls mapping to them get no second, misleading problem.
  const attempted = new Set<string>();
  for (const path of frameworkFiles) {
    attempted.add(path.replace(/^.*\//, '').replace(/\.ya?ml$/, ''));
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
    const framework: CatalogFramework = {
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
    catalog.frameworks.push(framework);
  }

  // Controls
  const refsByFramework = new Map(catalog.frameworks.map((f) => [f.key, new Set(f.requirements.map((r) => r.ref))]));
  const departmentKeys = new Set(catalog.departments.map((d) => d.key));
  const controlFiles = yamlFiles(join(dir, 'controls'));
  if (controlFiles.length === 0) problems.push({ file: 'controls/', line: 1, message: 'no control files' });
  const controlLines = new Map<string, string>();
  let position = 0;
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
      if (c.cadence === 'event' && c.max_interval_days === undefined)
        problems.push({
          file: parsed.file,
          line: line('cadence'),
          message: 'cadence event needs max_interval_days: the longest gap allowed between two occurrences',
        });
      if (c.cadence !== 'event' && c.max_interval_days !== undefined)
        problems.push({
          file: parsed.file,
          line: line('max_interval_days'),
          message: `max_interval_days belongs to cadence event only (this control is ${c.cadence})`,
        });
      if (departmentsOk && !departmentKeys.has(c.owner))
        problems.push({
          file: parsed.file,
          line: line('owner'),
          message: `owner "${c.owner}" is not a department in departments.yaml`,
        });
      for (const [fw, refs] of Object.entries(c.maps)) {
        const known = refsByFramework.get(fw);
        if (!known) {
          if (!attempted.has(fw))
            problems.push({ file: parsed.file, line: line('maps', fw), message: `maps: unknown framework "${fw}"` });
          continue;
        }
        refs.forEach((ref, j) => {
          if (!known.has(ref))
            problems.push({
              file: parsed.file,
              line: line('maps', fw, j),
              message: `maps: ${fw} has no requirement "${ref}"`,
            });
        });
        const dup = refs.find((r, j) => refs.indexOf(r) !== j);
        if (dup)
          problems.push({ file: parsed.file, line: line('maps', fw), message: `maps: ${fw} lists "${dup}" twice` });
      }
      const control: CatalogControl = {
        key: c.key,
        title: c.title,
        description: c.description,
        owner: c.owner,
        cadence: c.cadence,
        maxIntervalDays: c.max_interval_days ?? null,
        evidence: c.evidence,
        collector: c.collector ?? null,
        maps: c.maps,
        position: position++,
        file: parsed.file,
      };
      catalog.controls.push(control);
    });
  }

  // Coverage: every requirement is satisfied by a control or says why it does not apply.
  if (problems.length === 0) {
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

  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { catalog: problems.length ? null : catalog, problems };
}
