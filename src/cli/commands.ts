import type { INestApplicationContext } from '@nestjs/common';
import { DatabaseStatusService } from '../database/database-status.service';
import { HealthService } from '../health/health.service';

/** What a command prints and its exit code. Commands never call process.exit themselves. */
export interface CommandResult {
  output: string;
  exitCode: number;
}

export async function migrateCommand(ctx: INestApplicationContext): Promise<CommandResult> {
  const applied = await ctx.get(DatabaseStatusService).migrate();
  return {
    output:
      applied.length === 0
        ? 'Database schema is up to date; no migration to apply.'
        : `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`,
    exitCode: 0,
  };
}

export async function healthCommand(ctx: INestApplicationContext, json: boolean): Promise<CommandResult> {
  const result = await ctx.get(HealthService).summary();
  const ok = result.status === 'ok';
  if (json) return { output: JSON.stringify(result, null, 2), exitCode: ok ? 0 : 1 };
  const lines = Object.entries(result.details).map(([name, r]) => {
    const { status, ...data } = r;
    return `  ${name.padEnd(11)} ${status.padEnd(5)} ${JSON.stringify(data)}`;
  });
  return { output: `health: ${ok ? 'ok' : 'DOWN'}\n${lines.join('\n')}`, exitCode: ok ? 0 : 1 };
}
