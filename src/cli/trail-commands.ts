import type { INestApplicationContext } from '@nestjs/common';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { CheckpointService } from '../audit-trail/checkpoint.service';
import type { CommandResult } from './commands';

/** `attest trail verify [--json]`: exit 0 and `ok: N entries` when intact, exit 1 and `broken at seq S: <reason>` otherwise. */
export async function trailVerifyCommand(ctx: INestApplicationContext, json: boolean): Promise<CommandResult> {
  const result = await ctx.get(AuditTrailService).verify();
  const exitCode = result.ok ? 0 : 1;
  if (json) return { output: JSON.stringify(result, null, 2), exitCode };
  if (!result.ok)
    return {
      output: `broken at seq ${result.brokenAtSeq}: ${result.reason}\n(${result.entries} entries intact before it)`,
      exitCode,
    };
  return { output: `ok: ${result.entries} entries, ${result.checkpoints} signed checkpoint(s) checked`, exitCode };
}

/** `attest trail checkpoint`: sign the current head now (nothing new is written when it has not moved). */
export async function trailCheckpointCommand(ctx: INestApplicationContext): Promise<CommandResult> {
  const outcome = await ctx.get(CheckpointService).writeNow();
  if (outcome.written) {
    const exported = outcome.exportedTo ? `\ncopied to ${outcome.exportedTo}` : '';
    return {
      output: `checkpoint written at entry ${outcome.seq} (hash ${outcome.hash})\n${outcome.file}${exported}`,
      exitCode: 0,
    };
  }
  if (outcome.reason === 'empty') return { output: 'the audit trail is empty: nothing to checkpoint', exitCode: 0 };
  return { output: `no new entries since the last checkpoint (entry ${outcome.seq})\n${outcome.file}`, exitCode: 0 };
}
