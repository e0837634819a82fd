import type { INestApplicationContext } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { loadCatalog } from '../catalog/catalog-loader';
import { CatalogExportService } from '../catalog/catalog-export.service';
import { CatalogService } from '../catalog/catalog.service';
import { coverageOf, formatProblem, type Coverage } from '../catalog/domain/catalog-model';
import { actorRef, systemActor } from '../authz/actor';
import { loadDocumentTypes } from '../documents/document-types-loader';
import { loadReleaseGates } from '../releases/release-gates-loader';
import { loadIncidentPolicy } from '../incidents/incident-policy-loader';
import { loadRiskMatrix } from '../risks/risk-matrix-loader';
import type { CommandResult } from './commands';

function coverageLine(c: Coverage): string {
  const pct = c.total ? Math.round((100 * (c.covered + c.notApplicable)) / c.total) : 100;
  return `  ${c.framework.padEnd(10)} ${String(c.total).padStart(4)} requirements: ${c.covered} covered, ${c.notApplicable} not applicable, ${c.uncovered.length} uncovered (${pct}%)${c.uncovered.length ? ` — ${c.uncovered.join(', ')}` : ''}`;
}

/**
 * `attest catalog validate [dir]`: the catalog, the risk matrix (risk-matrix.yaml), the incident policy
 * (incident-policy.yaml) and the document types (document-types.yaml) in the folder; no database needed;
 * every problem as `file:line: message`.
 */
export function catalogValidateCommand(dir: string): CommandResult {
  const { catalog, problems: catalogProblems } = loadCatalog(dir);
  const { matrix, problems: matrixProblems } = loadRiskMatrix(dir);
  const { policy, problems: policyProblems } = loadIncidentPolicy(dir);
  const { types, problems: typesProblems } = loadDocumentTypes(dir);
  const { policy: gates, problems: gatesProblems } = loadReleaseGates(dir);
  const problems = [...catalogProblems, ...matrixProblems, ...policyProblems, ...typesProblems, ...gatesProblems];
  const shown = relative(process.cwd(), dir) || '.';
  if (!catalog || !matrix || !policy || !types || !gates) {
    return {
      output:
        problems.map((p) => formatProblem({ ...p, file: `${shown}/${p.file}` })).join('\n') +
        `\n${problems.length} problem(s) in ${shown}`,
      exitCode: 1,
    };
  }
  const lines = catalog.frameworks.map((f) => coverageLine(coverageOf(f, catalog.controls)));
  const risk = `  risk matrix: ISO 14971 ${matrix.size}×${matrix.size} (severity × probability), security ${matrix.security.size}×${matrix.security.size} (impact × likelihood)`;
  // The acceptability policy's rationale, as written in risk-matrix.yaml, so a reviewer reads it with the result.
  const rationale = `  risk matrix rationale:\n${wrap(matrix.rationale, 100)
    .map((l) => (l ? `    ${l}` : ''))
    .join('\n')}`;
  const { regulatory: r } = policy;
  const incidents = `  incident policy: ${policy.severities.map((s) => `${s.key} ${s.acknowledgeHours} h`).join(', ')} to acknowledge; breach notice ${r.breachOffice.hours} h; Thai FDA reports ${Object.values(
    r.adverseEvent,
  )
    .map((c) => `${c.hours} h`)
    .join(' / ')}, FSCA ${r.fsca.hours} h`;
  const documents = `  document types: ${Object.entries(types)
    .map(([type, t]) => `${type} ${t.approvers.length} approver(s)`)
    .join(', ')}`;
  const releases = `  release gates: ${gates.products
    .map((p) => `${p.key} ${p.automatic.length} automatic + ${p.signed.length} signed`)
    .join(', ')}; ${gates.blockingSeverity} and above blocks`;
  return {
    output: `${shown}: valid — ${catalog.frameworks.length} frameworks, ${catalog.controls.length} controls, ${catalog.departments.length} departments\n${lines.join('\n')}\n${risk}\n${rationale}\n${incidents}\n${documents}\n${releases}`,
    exitCode: 0,
  };
}

/** Paragraphs (blank-line separated) wrapped at `width` characters, a blank line between paragraphs. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    if (out.length) out.push('');
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(line);
  }
  return out;
}

export async function catalogSyncCommand(ctx: INestApplicationContext): Promise<CommandResult> {
  const r = await ctx.get(CatalogService).syncFromFiles(actorRef(systemActor('cli')));
  const list = (label: string, items: string[]) => (items.length ? `\n  ${label}: ${items.join(', ')}` : '');
  return {
    output: `catalog synced: ${r.created.length} added, ${r.updated.length} updated, ${r.retired.length} retired, ${r.unchanged} unchanged${list('added', r.created)}${list('updated', r.updated)}${list('retired', r.retired)}`,
    exitCode: 0,
  };
}

export async function catalogCoverageCommand(
  ctx: INestApplicationContext,
  framework: string | undefined,
  json: boolean,
): Promise<CommandResult> {
  const catalog = ctx.get(CatalogService);
  const coverage = framework ? [await catalog.coverage(framework)] : await catalog.coverageAll();
  if (json) return { output: JSON.stringify(framework ? coverage[0] : coverage, null, 2), exitCode: 0 };
  return {
    output: `coverage (mapped or explicitly not applicable):\n${coverage.map(coverageLine).join('\n')}`,
    exitCode: 0,
  };
}

export async function catalogExportCommand(
  ctx: INestApplicationContext,
  o: { framework: string; format: string; out: string },
): Promise<CommandResult> {
  if (o.format !== 'oscal' && o.format !== 'csv') return { output: '--format must be oscal or csv', exitCode: 2 };
  const catalog = ctx.get(CatalogExportService);
  const actor = actorRef(systemActor('cli'));
  const out = resolve(o.out);
  if (o.format === 'csv') {
    writeFileSync(out, (await catalog.export(actor, o.framework, 'csv')).body);
    return { output: `wrote ${out}`, exitCode: 0 };
  }
  // OSCAL: the catalog at --out, the component definition (which points at it) beside it.
  const componentOut = out.replace(/(\.json)?$/, '.component-definition.json');
  writeFileSync(out, (await catalog.export(actor, o.framework, 'oscal-catalog')).body);
  const component = JSON.parse((await catalog.export(actor, o.framework, 'oscal-component')).body);
  component['component-definition'].components[0]['control-implementations'][0].source =
    `./${relative(resolve(componentOut, '..'), out)}`;
  writeFileSync(componentOut, JSON.stringify(component, null, 2));
  return { output: `wrote ${out}\nwrote ${componentOut}`, exitCode: 0 };
}
