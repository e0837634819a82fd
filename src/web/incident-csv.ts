// The incident register's CSV download and the filters it shares with the register page (issue 19).
import type { IncidentCategory } from '../incidents/domain/incident-model';
import { CATEGORY_LABEL, keyWords as label } from '../incidents/domain/incident-labels';
import type { IncidentListItem } from '../incidents/incident-views';
import type { IncidentPageQueryDto } from './dto/incident-forms.dto';
import { clockText } from './incident.page';
import { csvTime, timeHeader, type CsvColumn } from './list-csv';

/** The register as CSV: the page's columns, every owed clock in the words the page uses. */
export const INCIDENT_CSV_COLUMNS: CsvColumn<IncidentListItem>[] = [
  { header: 'Ref', value: (i) => i.ref },
  { header: 'Incident', value: (i) => i.title },
  { header: 'Severity', value: (i) => i.severity },
  { header: 'Peak severity', value: (i) => i.peakSeverity },
  { header: 'Status', value: (i) => label(i.status) },
  { header: 'Categories', value: (i) => i.categories.map((c) => CATEGORY_LABEL[c] ?? c).join('; ') },
  { header: timeHeader('Detected at'), value: (i) => csvTime(i.detectedAt) },
  { header: timeHeader('Aware at'), value: (i) => csvTime(i.awareAt) },
  { header: 'Commander', value: (i) => i.commander?.name },
  { header: 'Open CAPAs', value: (i) => i.openCapas },
  {
    header: 'Clocks',
    value: (i) =>
      i.clocks
        .filter((c) => c.state !== 'not_owed')
        .map((c) => `${c.label}: ${clockText(c)}`)
        .join('; '),
  },
];

/** The register's filters as the incidents service takes them (the page's and the CSV's). */
export function incidentFilter(query: IncidentPageQueryDto) {
  return {
    open: (query.show ?? 'open') === 'open' ? ('true' as const) : undefined,
    status: query.status,
    severity: query.severity,
    category: query.category as IncidentCategory | undefined,
    q: query.q,
  };
}
