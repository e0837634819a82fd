// Reads controls/document-types.yaml with the catalog's YAML rules (core schema; no anchors, aliases or
// custom tags; 256 KB at most), checks its schema and rules, and reports every problem as `file:line: message`.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseFile, zodProblems } from '../catalog/catalog-loader';
import type { CatalogProblem } from '../catalog/domain/catalog-model';
import { APPROVER_ROLES, validateDocumentTypes, type DocumentTypePolicy } from './domain/document-approvals';
import { DOCUMENT_TYPES, type DocumentType } from './domain/document-model';

export const DOCUMENT_TYPES_FILE = 'document-types.yaml';

const slot = z
  .object({
    role: z.enum(APPROVER_ROLES, { error: `must be one of ${APPROVER_ROLES.join(', ')}` }).optional(),
    department: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a department key (lower case, hyphens) or "owner"')
      .optional(),
  })
  .strict();

const typesSchema = z
  .object({
    types: z.record(
      z.string(),
      z
        .object({
          reviewCadenceMonths: z
            .number({ error: 'must be a number of months' })
            .int('must be a whole number of months')
            .min(1, 'must be at least 1 month')
            .max(60, 'must be at most 60 months'),
          acknowledgeWithinDays: z
            .number({ error: 'must be a number of days' })
            .int('must be a whole number of days')
            .min(1, 'must be at least 1 day')
            .max(90, 'must be at most 90 days')
            .optional(),
          approvers: z.array(slot).max(10, 'must name at most 10 approvers'),
        })
        .strict(),
    ),
  })
  .strict();

export type DocumentTypes = Record<DocumentType, DocumentTypePolicy>;

export interface LoadedDocumentTypes {
  types: DocumentTypes | null;
  problems: CatalogProblem[];
}

/** Loads and validates `<dir>/document-types.yaml`. `types` is null when there is any problem. */
export function loadDocumentTypes(dir: string): LoadedDocumentTypes {
  const path = join(dir, DOCUMENT_TYPES_FILE);
  try {
    statSync(path);
  } catch {
    return { types: null, problems: [{ file: DOCUMENT_TYPES_FILE, line: 1, message: 'file is missing' }] };
  }
  const problems: CatalogProblem[] = [];
  const parsed = parseFile(dir, path, problems);
  if (!parsed) return { types: null, problems };
  const result = typesSchema.safeParse(parsed.value);
  if (!result.success) {
    zodProblems(parsed, result.error, problems);
    return { types: null, problems };
  }
  for (const p of validateDocumentTypes(result.data.types, DOCUMENT_TYPES))
    problems.push({ file: parsed.file, line: parsed.lineOf(p.path), message: p.message });
  problems.sort((a, b) => a.line - b.line);
  return { types: problems.length ? null : (result.data.types as DocumentTypes), problems };
}
