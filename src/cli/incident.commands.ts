import type { INestApplicationContext } from '@nestjs/common';
import { wallClock, zoneLabel } from '../common/time/zone';
import { IncidentRegisterService } from '../incidents/incident-register.service';
import type { ClockView, IncidentListItem } from '../incidents/incident-views';
import type { CommandResult } from './commands';

/** The clock to act on next: the earliest deadline among those still running (overdue first), else none. */
export function nextClock(clocks: ClockView[]): ClockView | null {
  const live = clocks.filter(
    (c) => c.dueAt && (c.state === 'running' || c.state === 'due_soon' || c.state === 'overdue'),
  );
  return live.sort((a, b) => a.dueAt!.localeCompare(b.dueAt!))[0] ?? null;
}

/**
 * `attest incident list [--open] [--json]`: the register as the system sees it (no names), newest
 * awareness first. JSON: the API's list items; else a table of ref, severity, status, title, aware at (in
 * TZ_COMPLIANCE) and the next clock with its state.
 */
export async function incidentListCommand(
  ctx: INestApplicationContext,
  opts: { open?: boolean; json?: boolean },
): Promise<CommandResult> {
  const items = await ctx.get(IncidentRegisterService).list({ open: opts.open });
  if (opts.json) return { output: JSON.stringify(items), exitCode: 0 };
  if (items.length === 0) return { output: opts.open ? 'No open incidents.' : 'No incidents.', exitCode: 0 };
  return { output: table(items), exitCode: 0 };
}

function table(items: IncidentListItem[]): string {
  const rows = items.map((i) => {
    const next = nextClock(i.clocks);
    return [
      i.ref,
      i.severity,
      i.status,
      i.title.length > 40 ? `${i.title.slice(0, 39)}…` : i.title,
      wallClock(new Date(i.awareAt)),
      next ? `${next.label}: ${wallClock(new Date(next.dueAt!))} (${next.state})` : '—',
    ];
  });
  const head = ['REF', 'SEV', 'STATUS', 'TITLE', `AWARE (${zoneLabel()})`, 'NEXT CLOCK'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((v, c) => v.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
