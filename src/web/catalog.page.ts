// View models of the catalog pages: frameworks with their coverage, a framework's requirements in their
// groups, the controls list, and a control with its owner form. Pure functions of the services' views
// and what the ability allows (no Nest, no TypeORM), tested beside them.
import { mayOwnControls } from '../authz/control-ownership';
import type { AppError } from '../common/errors/app-error';
import type { Page } from '../common/http/pagination';
import { CADENCES, type Coverage } from '../catalog/domain/catalog-model';
import type { ControlQueryDto, ControlView, FrameworkView, RequirementView } from '../catalog/dto/catalog.dto';
import type { EvidenceView } from '../evidence/dto/evidence.dto';
import type { UserView } from '../identity/dto/user.dto';
import type { ControlOutcomeView } from '../sweeps/dto/sweep.dto';
import { formatDate, localDate } from '../common/time/calendar';
import type { FormState } from './incident-forms';
import { csvHref, type CsvColumn } from './list-csv';

/** The catalog: every framework with its coverage. */
export function catalogPage(frameworks: FrameworkView[], coverage: Coverage[]) {
  const byKey = new Map(coverage.map((c) => [c.framework, c]));
  return { pageTitle: 'Catalog', frameworks: frameworks.map((f) => ({ ...f, coverage: byKey.get(f.key) })) };
}

/** A framework: its requirements in their groups, in catalog order (a group split by another appears twice). */
export function frameworkPage<F extends { name: string }>(
  framework: F,
  requirements: RequirementView[],
  coverage: Coverage,
) {
  const groups: { name: string; requirements: RequirementView[] }[] = [];
  for (const r of requirements) {
    const last = groups[groups.length - 1];
    if (last?.name === r.group) last.requirements.push(r);
    else groups.push({ name: r.group, requirements: [r] });
  }
  return { pageTitle: framework.name, framework, coverage, groups };
}

/** The controls list with its filters; paging links keep every filter. */
/** The controls list as CSV: the page's columns, every requirement each control satisfies. */
export const CONTROL_CSV_COLUMNS: CsvColumn<ControlView>[] = [
  { header: 'Key', value: (c) => c.key },
  { header: 'Control', value: (c) => c.title },
  { header: 'Department', value: (c) => c.ownerDepartment },
  { header: 'Owner', value: (c) => c.ownerName },
  { header: 'Cadence', value: (c) => c.cadence },
  { header: 'Max interval (days)', value: (c) => c.maxIntervalDays },
  { header: 'Satisfies', value: (c) => c.requirements.map((r) => `${r.framework}:${r.ref}`).join('; ') },
  { header: 'Collector', value: (c) => c.collector },
  { header: 'Version', value: (c) => c.version },
];

export function controlsPage(input: {
  query: ControlQueryDto;
  list: Page<ControlView>;
  frameworks: FrameworkView[];
  departments: unknown[];
}) {
  const { query, list } = input;
  const params = (offset: number) =>
    new URLSearchParams(
      Object.entries({
        framework: query.framework,
        department: query.department,
        cadence: query.cadence,
        owner: query.owner,
        q: query.q,
        offset: String(offset),
      }).filter((e): e is [string, string] => !!e[1]),
    ).toString();
  return {
    pageTitle: 'Controls',
    controls: list.items,
    csv: csvHref('/controls/export.csv', {
      framework: query.framework,
      department: query.department,
      cadence: query.cadence,
      owner: query.owner,
      q: query.q,
    }),
    total: list.total,
    from: list.total === 0 ? 0 : list.offset + 1,
    to: list.offset + list.items.length,
    previous: list.offset > 0 ? `?${params(Math.max(0, list.offset - list.limit))}` : null,
    next: list.offset + list.limit < list.total ? `?${params(list.offset + list.limit)}` : null,
    frameworks: input.frameworks,
    departments: input.departments,
    cadences: CADENCES,
    filter: {
      framework: query.framework ?? '',
      department: query.department ?? '',
      cadence: query.cadence ?? '',
      mine: query.owner === 'me',
      q: query.q ?? '',
    },
  };
}

/** A refused owner form: what was chosen and why it was refused. */
export interface OwnerForm {
  userId: string | null;
  problem: AppError;
}

/**
 * A control: its mappings, newest evidence and outcomes, and the owner form. The picker offers only people
 * who may own a control (segregation of duties: never auditors or viewers); a refused choice stays
 * selected, marked, so the person sees what they sent.
 */
export function controlPage(input: {
  control: ControlView;
  canAssign: boolean;
  /** Active users (empty when the actor may not assign). */
  everyone: UserView[];
  /** Null when the actor may not read evidence. */
  evidence: Page<EvidenceView> | null;
  outcomes: ControlOutcomeView[];
  form?: OwnerForm;
  /** Whether the person may attach evidence to this control, and so correct its items. */
  canCorrect?: boolean;
  /** A refused correction: its form names the evidence item it was to correct. */
  correction?: FormState<string>;
}) {
  const { control, form } = input;
  const people = input.everyone.filter((u) =>
    mayOwnControls({
      id: u.id,
      role: u.role,
      departmentId: u.departmentId ?? null,
      departmentKey: u.departmentKey ?? null,
    }),
  );
  const refused =
    form?.userId && !people.some((u) => u.id === form.userId)
      ? (input.everyone.find((u) => u.id === form.userId) ?? { id: form.userId, name: form.userId, role: 'unknown' })
      : null;
  const selected = form ? form.userId : control.ownerUserId;
  return {
    pageTitle: `${control.key} ${control.title}`,
    control,
    canAssign: input.canAssign,
    people: people.map((u) => ({ ...u, selected: u.id === selected })),
    evidence: input.evidence && {
      ...input.evidence,
      canCorrect: input.canCorrect === true,
      // A correction refused because its item is no longer current (corrected meanwhile): said above the list.
      refusedElsewhere:
        input.correction && !input.evidence.items.some((e) => e.id === input.correction!.form)
          ? {
              id: input.correction.form,
              detail: input.correction.errors.supersedes
                ? 'Nothing was stored: that item has already been corrected (in another window or by someone else). Its correction is listed below; correct that one if it needs it.'
                : input.correction.detail,
            }
          : null,
      items: input.evidence.items.map((e) => ({
        ...e,
        correct: input.canCorrect ? correctionForm(e, input.correction) : null,
      })),
    },
    outcomes: input.outcomes,
    refused: refused ? { id: refused.id, name: refused.name, role: String(refused.role).replace(/_/g, ' ') } : null,
    ownerError: form ? { detail: form.problem.message, errors: form.problem.errors } : null,
  };
}

/**
 * The "Correct" form of one current evidence item: a new item that supersedes it, with the item's title, day
 * and period filled in; after a refusal, what was typed and each field's problem.
 */
export function correctionForm(item: EvidenceView, refused?: FormState<string>) {
  if (refused?.form === item.id)
    return { open: true, values: refused.values, errors: refused.errors, detail: refused.detail };
  return {
    open: false,
    values: {
      title: item.title,
      description: '',
      evidenceDate: formatDate(localDate(new Date(item.evidenceDate))),
      periodStart: item.periodStart,
      periodEnd: item.periodEnd,
    },
    errors: {} as Record<string, string>,
    detail: null,
  };
}
