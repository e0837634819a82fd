import type { INestApplicationContext } from '@nestjs/common';
import { DrillsService } from '../dsr/drills.service';
import { systemActor } from '../authz/actor';
import type { CommandResult } from './commands';

/**
 * `attest dsr drill [--json]`: runs a drill now (the server also runs one on DSR_DRILL_CRON) →
 * `{ passed, exportComplete, residue, durationMs, systems, failures }`; exit 0 when it passed, 1 when not.
 */
export async function dsrDrillCommand(ctx: INestApplicationContext, json: boolean): Promise<CommandResult> {
  const report = await ctx.get(DrillsService).run(systemActor('cli'), 'cli');
  const exitCode = report.passed ? 0 : 1;
  if (json) {
    const { passed, exportComplete, residue, durationMs, systems, failures, reference, evidenceId, exportSha256 } =
      report;
    return {
      output: JSON.stringify({
        passed,
        exportComplete,
        residue,
        durationMs,
        systems,
        failures,
        reference,
        evidenceId,
        exportSha256,
      }),
      exitCode,
    };
  }
  const lines = [
    `DSR drill ${report.reference}: ${report.passed ? 'PASSED' : 'FAILED'} in ${report.durationMs} ms (export complete: ${report.exportComplete ? 'yes' : 'no'}, residue rows: ${report.residue})`,
    ...report.systems.map(
      (s) =>
        `  ${s.system} (${s.kind}): ${s.status}; seeded ${s.seeded}, exported ${s.exported}, missing ${s.missing.length}, residue ${s.residue}${s.retained.length ? `, retained: ${s.retained.map((r) => `${r.table} (${r.rows})`).join(', ')}` : ''}`,
    ),
    ...report.failures.map((f) => `  failure: ${f}`),
    report.evidenceId
      ? `Report stored as evidence ${report.evidenceId}.`
      : 'No control names the dsr-drill collector: the report was not stored as evidence.',
  ];
  return { output: lines.join('\n'), exitCode };
}
