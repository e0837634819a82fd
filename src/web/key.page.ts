// The key register pages' view models (issue 18): the list with each key's clock, and one key with its
// rotation history. Pure: the controller loads the keys.
import { KEY_KINDS, KEY_STATES } from '../keys/domain/key-model';
import type { KeyDetail, KeyView } from '../keys/dto/key.dto';
import { csvHref, csvTime, timeHeader, type CsvColumn } from './list-csv';

/** A refused form: what was typed, each field's problem, and the refusal in words. */
export interface KeyFormState {
  form: 'register' | 'attest';
  values: Record<string, unknown>;
  errors: Record<string, string>;
  detail: string;
}

const STATE_LABELS = { ok: 'OK', due_soon: 'Due soon', overdue: 'Overdue' } as const;
const KIND_LABELS = { third_party: 'Third-party API key', service_role: 'Service-role key' } as const;

function row(k: KeyView) {
  return {
    ...k,
    kindLabel: KIND_LABELS[k.kind],
    stateLabel: STATE_LABELS[k.state],
    overdue: k.state === 'overdue',
    dueSoon: k.state === 'due_soon',
    href: `/keys/${k.name}`,
  };
}

/** The register's CSV: names and clocks, never a value (the register holds none). */
export const KEY_CSV_COLUMNS: CsvColumn<KeyView>[] = [
  { header: 'Key', value: (k) => k.name },
  { header: 'System', value: (k) => k.system },
  { header: 'Kind', value: (k) => KIND_LABELS[k.kind] },
  { header: 'Interval (days)', value: (k) => k.intervalDays },
  { header: 'Owner', value: (k) => k.ownerName },
  { header: 'Department', value: (k) => k.department },
  { header: timeHeader('Last rotation'), value: (k) => csvTime(k.lastRotatedAt) },
  { header: timeHeader('Due'), value: (k) => csvTime(k.dueAt) },
  { header: 'State', value: (k) => STATE_LABELS[k.state] },
];

export function keyListPage(input: {
  items: KeyView[];
  total: number;
  state: string | null;
  department: string | null;
  canRegister: boolean;
  defaults: Record<string, number>;
  form: KeyFormState | null;
  formKey: string;
}) {
  return {
    title: 'Keys and credentials',
    total: input.total,
    csv: csvHref('/keys/export.csv', { state: input.state, department: input.department }),
    keys: input.items.map(row),
    states: KEY_STATES.map((s) => ({ key: s, label: STATE_LABELS[s], selected: s === input.state })),
    department: input.department ?? '',
    canRegister: input.canRegister,
    kinds: KEY_KINDS.map((k) => ({
      key: k,
      label: `${KIND_LABELS[k]} (every ${input.defaults[k]} days)`,
      selected: input.form?.values.kind === k,
    })),
    form: input.form,
    formKey: input.formKey,
  };
}

export function keyPage(input: { key: KeyDetail; canAttest: boolean; form: KeyFormState | null; formKey: string }) {
  return {
    title: input.key.name,
    key: row(input.key),
    rotations: input.key.rotations.map((r) => ({ ...r, ci: r.source === 'ci' })),
    canAttest: input.canAttest,
    form: input.form,
    formKey: input.formKey,
  };
}
