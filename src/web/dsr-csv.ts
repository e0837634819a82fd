// The DSR pages' CSV downloads (issue 19): the queue, the drills and the manual tasks, as their pages show them.
import type { DsrActionView, DsrRequestView } from '../dsr/dto/dsr.dto';
import { actionRow, clockCell, describeDuration, drillRow, groundLabel, RIGHT_LABEL } from './dsr.page';
import { csvTime, timeHeader, type CsvColumn } from './list-csv';

/**
 * The queue as CSV: reference, right, status and both clocks as the page shows them. Never who the request is
 * about: a spreadsheet of data subjects would be a new copy of personal data outside the encrypted register.
 */
export const DSR_CSV_COLUMNS: CsvColumn<DsrRequestView>[] = [
  { header: 'Reference', value: (r) => r.reference },
  { header: 'Right', value: (r) => RIGHT_LABEL[r.right] ?? r.right },
  { header: 'PDPA section', value: (r) => r.section },
  { header: 'Ground', value: (r) => groundLabel(r.ground) },
  { header: 'Status', value: (r) => r.status.replace(/_/g, ' ') },
  { header: timeHeader('Received'), value: (r) => csvTime(r.receivedAt) },
  { header: timeHeader('Internal SLA due'), value: (r) => csvTime(r.clocks.internal?.dueAt) },
  { header: 'Internal SLA', value: (r) => clockCell(r.clocks.internal)?.text },
  { header: timeHeader('Statutory due'), value: (r) => csvTime(r.clocks.statutory?.dueAt) },
  { header: 'Statutory', value: (r) => clockCell(r.clocks.statutory)?.text },
  { header: 'Identity wait', value: (r) => describeDuration(r.clocks.identityWaitMs) },
  { header: 'Representative', value: (r) => r.isRepresentative },
  { header: 'Drill', value: (r) => r.isDrill },
  { header: timeHeader('Closed'), value: (r) => csvTime(r.closedAt) },
];

type DrillRow = ReturnType<typeof drillRow>;

/** The drill history: each drill's result, what it proved (export complete, zero residue) and its failures. */
export const DRILL_CSV_COLUMNS: CsvColumn<DrillRow>[] = [
  { header: timeHeader('Started'), value: (d) => csvTime(d.startedAt) },
  { header: 'Reference', value: (d) => d.reference },
  { header: 'Trigger', value: (d) => d.trigger },
  { header: 'Result', value: (d) => d.result },
  { header: 'Duration', value: (d) => d.duration },
  { header: 'Within SLA', value: (d) => (d.finished ? d.withinSla : null) },
  { header: 'Export complete', value: (d) => (d.finished ? d.exportComplete : null) },
  { header: 'Residue (rows)', value: (d) => d.residue },
  {
    header: 'Systems',
    value: (d) =>
      d.systems.map((s) => `${s.system} ${s.status}: ${s.seeded} seeded, ${s.exported} exported`).join('; '),
  },
  { header: 'Failures', value: (d) => d.failures.join('; ') },
  { header: 'Evidence', value: (d) => d.evidenceId },
];

type TaskRow = ReturnType<typeof actionRow> & { reference: string };

/** The manual tasks: which request, which system, what it asks and how far it got. */
export const DSR_TASK_CSV_COLUMNS: CsvColumn<TaskRow>[] = [
  { header: 'Request', value: (t) => t.reference },
  { header: 'System', value: (t) => t.systemKey },
  { header: 'Task', value: (t) => t.kindLabel },
  { header: 'Status', value: (t) => t.statusLabel },
  { header: 'Checklist items', value: (t) => t.checklist?.length ?? 0 },
  { header: 'Items done', value: (t) => t.checklist?.filter((i) => i.done).length ?? 0 },
  { header: 'Note', value: (t) => t.outcomeNote },
  { header: timeHeader('Finished'), value: (t) => csvTime(t.finishedAt) },
];

/** A manual task as its CSV row reads it. */
export const taskRow = (t: DsrActionView & { reference: string }): TaskRow => ({
  ...actionRow(t),
  reference: t.reference,
});
