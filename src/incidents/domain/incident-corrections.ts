// What a correction of an incident's recorded facts says in its timeline: which facts changed, with the old
// and new values of the short ones the legal clocks depend on (awareness, categories, the adverse-event
// category, the FSCA dates). Long text (title, description) and lists of names are only named.
import { formatLocalTime } from '../../common/time/calendar';

/** Facts whose change is a correction of the record (the timeline says what moved; the trail has the rest). */
const CORRECTED = [
  'title',
  'description',
  'categories',
  'awareAt',
  'affectedSystems',
  'products',
  'customers',
  'adverseEventCategory',
  'fscaStartedAt',
  'fscaClosedAt',
] as const;
/** Facts shown with their old and new values (short, and the legal clocks move with them). */
type Corrected = Record<(typeof CORRECTED)[number], unknown>;
const SHOWN = new Set<string>(['categories', 'awareAt', 'adverseEventCategory', 'fscaStartedAt', 'fscaClosedAt']);

/** "Facts corrected: awareAt Mon 7 Dec 2026, 03:24 (Asia/Bangkok) → …; title", or null when nothing was. */
export function correctionText(before: Corrected, after: Corrected, changed: string[]): string | null {
  const show = (v: unknown): string =>
    v === null || v === undefined
      ? 'none'
      : v instanceof Date
        ? formatLocalTime(v)
        : Array.isArray(v)
          ? v.join(', ') || 'none'
          : String(v);
  const parts = CORRECTED.filter((f) => changed.includes(f)).map((f) =>
    SHOWN.has(f) ? `${f} ${show(before[f])} → ${show(after[f])}` : f,
  );
  return parts.length ? `Facts corrected: ${parts.join('; ')}` : null;
}
