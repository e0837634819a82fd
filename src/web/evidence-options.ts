// Evidence as a person picks it on a form: its title, its controls and the day it is of — that day in the
// compliance zone (an evidence date is stored as the instant the day starts there: 2026-11-20 in Bangkok is
// 2026-11-19T17:00Z, so the ISO string's first ten characters would name the day before).
import { dayOf } from '../common/time/days';

export interface EvidenceChoice {
  id: string;
  title: string;
  controls: string[];
  evidenceDate: string;
}

/** "ENG-05, ENG-06 · 2026-11-20". */
export function evidenceWhere(e: EvidenceChoice): string {
  return `${e.controls.join(', ')} · ${dayOf(new Date(e.evidenceDate))}`;
}

/** A <datalist> option: the id as the value, "title — controls · day" as what the person reads and searches. */
export function evidenceOption(e: EvidenceChoice): { value: string; label: string } {
  return { value: e.id, label: `${e.title} — ${evidenceWhere(e)}` };
}
