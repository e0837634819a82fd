// Text of the audit-pack PDF: labels, dates in the compliance time zone, sizes, durations and counts.
import type { PackControl, PackModel } from '../pack-model';
import { cleanText } from './text';
import { dayOf } from '../../common/time/days';
import { wallClock, zoneLabel } from '../../common/time/zone';

export function frameworkLabel(model: PackModel): string {
  return cleanText(
    model.framework.version ? `${model.framework.name} ${model.framework.version}` : model.framework.name,
  );
}

export function owner(c: PackControl): string {
  return c.ownerName ? `${c.ownerDepartment} / ${c.ownerName}` : c.ownerDepartment;
}

/** An attachment name without folders or control characters (it is shown and extracted as a file name). */
export function attachmentName(name: string): string {
  const base = cleanText(name).replace(/\n/g, ' ').split(/[\\/]/).pop()!.trim();
  return base === '' || base === '.' || base === '..' ? 'attachment' : base.slice(0, 200);
}

export function parseDate(s: string): Date | null {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-03-31 17:05 ICT" (in the compliance time zone) for an instant; a plain date stays as it is. */
export function formatDateTime(value: string | Date): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = typeof value === 'string' ? parseDate(value) : value;
  if (!d) return cleanText(String(value));
  return `${wallClock(d)} ${zoneLabel()}`;
}

export function formatDate(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = parseDate(value);
  return d ? dayOf(d) : cleanText(value);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "1 of 1 separated, the longest 5.0 s after receipt; 0 not owed (identity unverified)". */
export function objectionsLine(
  o: { received: number; separated: number; notOwed: number; longestSeparationMs: number | null } | undefined,
): string {
  if (!o || o.received === 0) return 'none received';
  const longest =
    o.longestSeparationMs === null ? '' : `, the longest ${formatDuration(o.longestSeparationMs)} after receipt`;
  return `${o.separated} of ${o.received} separated${longest}; ${o.notOwed} not owed (identity never verified)`;
}

export function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '—' : entries.map(([k, v]) => `${k} ${v}`).join(' · ');
}
