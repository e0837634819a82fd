// The findings pages' view models (issue 18): the register with severity, SLA state and due date, and one
// finding with its fix, retest and risk-acceptance forms. Pure: the controller loads the findings.
import { FINDING_SEVERITIES } from '../releases/domain/release-model';
import { FINDING_STATUSES, ACCEPTANCE_MEANING } from '../findings/domain/finding-model';
import type { FindingQueryDto, FindingView } from '../findings/dto/finding.dto';
import { csvHref, csvTime, timeHeader, type CsvColumn } from './list-csv';

/** A refused form: what was typed (never a password), each field's problem, and the refusal in words. */
export interface FindingFormState {
  form: 'fix' | 'retest' | 'acceptance';
  values: Record<string, unknown>;
  errors: Record<string, string>;
  detail: string;
}

const SLA_LABELS: Record<string, string> = {
  open: 'on time',
  due_soon: 'due soon',
  overdue: 'overdue',
  closed_in_time: 'closed in time',
  closed_late: 'closed late',
};

const row = (f: FindingView) => ({
  ...f,
  href: `/findings/${f.id}`,
  slaLabel: SLA_LABELS[f.sla.state] ?? f.sla.state,
  late: f.sla.state === 'overdue' || f.sla.state === 'closed_late',
});

/** The register's CSV: the columns of the page, and the clock's dates, retest and acceptance behind them. */
export const FINDING_CSV_COLUMNS: CsvColumn<FindingView>[] = [
  { header: 'Severity', value: (f) => f.severity },
  { header: 'Finding', value: (f) => f.title },
  { header: 'Source', value: (f) => f.source },
  { header: 'Product', value: (f) => f.product },
  { header: 'Department', value: (f) => f.department },
  { header: 'Status', value: (f) => f.status },
  { header: 'SLA', value: (f) => SLA_LABELS[f.sla.state] ?? f.sla.state },
  { header: 'SLA (days)', value: (f) => f.sla.days },
  { header: timeHeader('Opened'), value: (f) => csvTime(f.openedAt) },
  { header: timeHeader('Due'), value: (f) => csvTime(f.sla.dueAt) },
  { header: timeHeader('Closed'), value: (f) => csvTime(f.closedAt) },
  { header: 'Retest', value: (f) => f.retestResult },
  { header: 'Risk accepted until', value: (f) => f.acceptance?.expiresOn },
  { header: 'Acceptance holds', value: (f) => (f.acceptance ? f.acceptance.holds : null) },
];

export function findingListPage(input: { items: FindingView[]; total: number; query: FindingQueryDto }) {
  const q = input.query;
  const options = (all: readonly string[], chosen?: string) => all.map((v) => ({ value: v, selected: v === chosen }));
  return {
    title: 'Findings',
    total: input.total,
    csv: csvHref('/findings/export.csv', {
      status: q.status,
      severity: q.severity,
      product: q.product,
      department: q.department,
    }),
    statuses: options(FINDING_STATUSES, q.status),
    severities: options(FINDING_SEVERITIES, q.severity),
    product: q.product ?? '',
    department: q.department ?? '',
    findings: input.items.map(row),
  };
}

export function findingPage(input: {
  finding: FindingView;
  canUpdate: boolean;
  canAccept: boolean;
  form: FindingFormState | null;
  formKey: string;
}) {
  const f = input.finding;
  const state = (name: FindingFormState['form']) => (input.form?.form === name ? input.form : null);
  return {
    title: `Finding: ${f.title}`,
    finding: row(f),
    base: `/findings/${f.id}`,
    canFix: input.canUpdate && (f.status === 'open' || f.status === 'accepted'),
    canRetest: input.canUpdate && f.status === 'fixed',
    canAccept: input.canAccept && (f.status === 'open' || f.status === 'accepted'),
    meaning: ACCEPTANCE_MEANING,
    fixForm: state('fix'),
    retestForm: state('retest'),
    acceptanceForm: state('acceptance'),
    formKey: input.formKey,
  };
}
