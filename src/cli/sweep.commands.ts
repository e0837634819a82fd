import type { INestApplicationContext } from '@nestjs/common';
import { parseWeek } from '../common/time/calendar';
import { SweepLifecycleService } from '../sweeps/sweep-lifecycle.service';
import { SweepsService } from '../sweeps/sweeps.service';
import { actorRef, systemActor } from '../authz/actor';
import type { CommandResult } from './commands';

const CLI = actorRef(systemActor('cli'));

function checkWeek(week: string | undefined): string | null {
  if (week === undefined) return null;
  try {
    parseWeek(week);
    return null;
  } catch (e) {
    return `--week: ${(e as Error).message}`;
  }
}

/** `attest sweep open [--week 2026-W48] [--json]` → `{ week, created, tasks }`; a second run: `created: false`. */
export async function sweepOpenCommand(
  ctx: INestApplicationContext,
  week: string | undefined,
  json: boolean,
): Promise<CommandResult> {
  const problem = checkWeek(week);
  if (problem) return { output: problem, exitCode: 2 };
  const sweeps = ctx.get(SweepsService);
  const r = await ctx.get(SweepLifecycleService).openWeek(week ?? sweeps.weekOf(new Date()), CLI);
  if (json) return { output: JSON.stringify({ week: r.week, created: r.created, tasks: r.tasks }), exitCode: 0 };
  return {
    output: r.created
      ? `Opened the sweep for ${r.week}: ${r.tasks} task(s).${r.collectors?.length ? `\nCollectors: ${r.collectors.map((c) => `${c.collector}${c.error ? ` (failed: ${c.error})` : ''}`).join(', ')}` : ''}`
      : `The sweep for ${r.week} was already open: ${r.tasks} task(s).`,
    exitCode: 0,
  };
}

export async function sweepCloseCommand(
  ctx: INestApplicationContext,
  week: string | undefined,
  json: boolean,
): Promise<CommandResult> {
  const problem = checkWeek(week);
  if (problem) return { output: problem, exitCode: 2 };
  const sweeps = ctx.get(SweepsService);
  const r = await ctx.get(SweepLifecycleService).closeWeek(week ?? sweeps.weekOf(new Date()), CLI);
  if (json) return { output: JSON.stringify(r), exitCode: 0 };
  return {
    output: `${r.closed ? 'Closed' : 'Already closed:'} the sweep for ${r.week}.\n${JSON.stringify(r.summary)}`,
    exitCode: 0,
  };
}
