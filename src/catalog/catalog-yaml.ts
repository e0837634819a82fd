// Reading one catalog file (controls/ and the risk matrix): YAML is parsed with the core schema only;
// anchors, aliases and custom tags are refused, and so are files over MAX_FILE_BYTES (a catalog is reviewed
// text, not data). Every problem is reported with its file and line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Document, isNode } from 'yaml';
import { parseStrictYaml } from '../common/text/strict-yaml';
import type { z } from 'zod';
import type { CatalogProblem } from './domain/catalog-model';

export const MAX_FILE_BYTES = 256 * 1024;

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
  return parseYamlText(file, readFileSync(path, 'utf8'), problems);
}

/**
 * YAML text by the same rules as parseFile (core schema, unique keys, no anchors, aliases or custom tags),
 * e.g. a Markdown file's front matter; `firstLine` is the line of the file the text starts on, so problems
 * and `lineOf` name lines of the file.
 */
export function parseYamlText(
  file: string,
  text: string,
  problems: CatalogProblem[],
  firstLine = 1,
): ParsedFile | null {
  const { doc, lineCounter, problems: found } = parseStrictYaml(text);
  const at = (offset: number | undefined) =>
    (offset === undefined ? 1 : lineCounter.linePos(offset).line) + firstLine - 1;
  const before = problems.length;
  for (const p of found) problems.push({ file, line: at(p.offset), message: p.message });
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

export function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}
