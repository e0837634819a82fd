import type { INestApplicationContext } from '@nestjs/common';
import { relative, resolve } from 'node:path';
import { systemActor } from '../authz/actor';
import { formatProblem } from '../catalog/domain/catalog-model';
import { DocumentFilesService } from '../documents/document-files.service';
import type { CommandResult } from './commands';

/**
 * `attest documents import DIR`: every `DIR/*.md` (YAML front matter + Markdown) brought into the documents,
 * all or nothing; changed content becomes a draft version (publication needs people's signatures). Exit 1
 * with every problem as `file:line: message`.
 */
export async function documentsImportCommand(ctx: INestApplicationContext, dir: string): Promise<CommandResult> {
  const path = resolve(dir);
  const shown = relative(process.cwd(), path) || '.';
  const r = await ctx.get(DocumentFilesService).importDir(systemActor('cli'), path);
  if (r.problems.length)
    return {
      output: `${r.problems.map((p) => formatProblem({ ...p, file: `${shown}/${p.file}` })).join('\n')}\n${r.problems.length} problem(s) in ${shown}: nothing imported`,
      exitCode: 1,
    };
  const list = (keys: string[]) => (keys.length ? ` (${keys.join(', ')})` : '');
  return {
    output: `${shown}: ${r.created.length} created${list(r.created)}, ${r.updated.length} updated${list(r.updated)}, ${r.drafted.length} new draft version(s)${list(r.drafted)}, ${r.unchanged.length} unchanged`,
    exitCode: 0,
  };
}

/** `attest documents export DIR`: each document's version in force (else its newest) as `DIR/<key>.md`. */
export async function documentsExportCommand(ctx: INestApplicationContext, dir: string): Promise<CommandResult> {
  const keys = await ctx.get(DocumentFilesService).exportDir(resolve(dir));
  return {
    output: `${keys.length} document(s) written to ${dir}${keys.length ? `: ${keys.join(', ')}` : ''}`,
    exitCode: 0,
  };
}
