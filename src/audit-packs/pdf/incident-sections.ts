// The audit-pack PDF's incidents section: counts first, then the tables they are counted from (incidents,
// every owed clock, CAPAs), so an auditor can check each number against the rows. No person is named.
import { categoryLabel, keyWords } from '../../incidents/domain/incident-labels';
import type { PackClockCount, PackIncident, PackIncidentClock, PackIncidents } from '../pack-model';
import { formatCounts, formatDate, formatDateTime } from './pack-format';
import type { Cell } from './pdf-writer';
import type { SectionContext } from './section-context';

/** "2 of 3 in time (1 missed, 0 overdue); 1 still running". */
export function inTimeLine(c: PackClockCount): string {
  const decided = c.met + c.missed + c.overdue;
  if (decided + c.running === 0) return 'none owed';
  return `${c.met} of ${decided} in time (${c.missed} late, ${c.overdue} overdue); ${c.running} still running`;
}

export function capaLine(c: PackIncidents['capaCounts']): string {
  return `${c.open} open (${c.overdue} overdue), ${c.done} done, ${c.accepted} accepted`;
}

export function incidentsNote(s: PackIncidents): string {
  return (
    `Incidents the company became aware of in the period (whole days in the compliance time zone). Clocks and ` +
    `corrective actions are stated ${s.asOf.statement}: a notice, acknowledgement or closure recorded after then ` +
    `is not counted. Status and closed-at are stated then too: an incident closed later is shown at the stage ` +
    `its recorded status changes put it in then, with no closed-at. Each count below is a count ` +
    `of the rows of the tables that follow; an incident may have several categories. No person is named: the ` +
    `reporter's role only.`
  );
}

/** The counts by category, each category in words (the pages' labels). */
export function categoryCounts(byCategory: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(byCategory).map(([k, n]) => [categoryLabel(k), n]));
}

/** The status as of the section's moment, in words. */
export function statusText(i: PackIncident): string {
  return i.status === null ? 'open (stage not recorded)' : keyWords(i.status);
}

export function incidents(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  const s = model.incidents;
  const muted = { colour: layout.colours.muted };
  if (!s)
    return w.paragraph(
      `Incidents are not part of a ${model.framework.key} pack (they are for SOC 2, PDPA, SaMD and ISO 14971).`,
      muted,
    );
  w.paragraph(incidentsNote(s), muted);
  if (s.incidents.length === 0)
    return w.paragraph('No incidents: the company became aware of no incident in the period.', { font: 'bold' });
  const bad = (text: string, isBad: boolean): Cell => (isBad ? { text, colour: layout.colours.bad } : text);
  const late = (c: PackClockCount) => c.missed + c.overdue > 0;
  w.keyValues([
    ['Incidents', String(s.incidents.length)],
    ['By peak severity', formatCounts(s.bySeverity)],
    ['By category', formatCounts(categoryCounts(s.byCategory))],
    ['Severity SLAs', bad(inTimeLine(s.clockCounts.severity), late(s.clockCounts.severity))],
    ['PDPC Office breach notices', bad(inTimeLine(s.clockCounts.pdpc_office), late(s.clockCounts.pdpc_office))],
    ['Data subjects told (high risk)', bad(inTimeLine(s.clockCounts.data_subjects), late(s.clockCounts.data_subjects))],
    ['Thai FDA reports', bad(inTimeLine(s.clockCounts.thai_fda), late(s.clockCounts.thai_fda))],
    ['Corrective actions (CAPA)', bad(capaLine(s.capaCounts), s.capaCounts.overdue > 0)],
  ]);
  w.subheading('Incidents aware in the period');
  w.table(
    [
      { header: 'Ref', share: 9 },
      { header: 'Title', share: 18 },
      { header: 'Peak', share: 6 },
      { header: 'Categories', share: 17 },
      { header: 'Reporter role', share: 13 },
      { header: 'Status', share: 9 },
      { header: 'Aware at', share: 14 },
      { header: 'Closed at', share: 14 },
    ],
    s.incidents.map((i) => ({
      cells: [
        i.ref,
        i.title,
        i.peakSeverity,
        i.categories.map(categoryLabel).join(', '),
        keyWords(i.reporterRole),
        statusText(i),
        formatDateTime(i.awareAt),
        i.closedAt ? formatDateTime(i.closedAt) : '—',
      ],
    })),
  );
  clockTable(ctx, s.clocks);
  capaTable(ctx, s);
}

const GROUP_LABEL: Record<PackIncidentClock['group'], string> = {
  severity: 'SLA',
  pdpc_office: 'PDPC Office',
  data_subjects: 'Subjects',
  thai_fda: 'Thai FDA',
};

function clockTable(ctx: SectionContext, clocks: PackIncidentClock[]): void {
  const { w, layout } = ctx;
  w.subheading('Clocks');
  if (clocks.length === 0) return w.paragraph('No clock was owed.', { colour: layout.colours.muted });
  w.table(
    [
      { header: 'Ref', share: 10 },
      { header: 'Kind', share: 9 },
      { header: 'Clock', share: 20 },
      { header: 'Due', share: 13 },
      { header: 'Done', share: 13 },
      { header: 'State', share: 9 },
      { header: 'Late reason', share: 26 },
    ],
    clocks.map((c) => ({
      cells: [
        c.ref,
        GROUP_LABEL[c.group],
        c.label,
        c.dueAt ? formatDateTime(c.dueAt) : '—',
        c.doneAt ? formatDateTime(c.doneAt) : '—',
        c.state === 'missed' || c.state === 'overdue' ? { text: c.state, colour: layout.colours.bad } : c.state,
        c.state === 'missed' ? (c.lateReason ?? { text: 'no reason recorded', colour: layout.colours.bad }) : '—',
      ],
    })),
  );
}

function capaTable(ctx: SectionContext, s: PackIncidents): void {
  const { w, layout } = ctx;
  w.subheading('Corrective and preventive actions');
  if (s.capas.length === 0)
    return w.paragraph('No corrective action was recorded by then.', { colour: layout.colours.muted });
  w.table(
    [
      { header: 'Ref', share: 12 },
      { header: 'Action', share: 48 },
      { header: 'Due', share: 14 },
      { header: 'Status', share: 13 },
      { header: 'Overdue', share: 13 },
    ],
    s.capas.map((c) => ({
      cells: [
        c.ref,
        c.title,
        formatDate(c.dueOn),
        c.status,
        c.overdue ? { text: 'overdue', colour: layout.colours.bad } : 'no',
      ],
    })),
  );
}
