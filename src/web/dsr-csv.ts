// The DSR queue's CSV download (issue 19): its columns, as the queue page shows them.
import type { DsrRequestView } from '../dsr/dto/dsr.dto';
import { clockCell, describeDuration, groundLabel, RIGHT_LABEL } from './dsr.page';
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
