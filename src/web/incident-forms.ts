// From the incident pages' flat forms to the API's DTOs, validated exactly as the API validates them (the
// same classes, the same pipe), so the page and the API refuse the same things with the same words. Each
// form keeps what was typed (`FormState`) so that a refused form is shown again with its input and each
// problem next to its field.
import type { FieldProblem } from '../common/errors/app-error';
import { createValidationPipe } from '../common/http/validation.pipe';
import { wallClock } from '../common/time/zone';
import { BREACH_FACTORS } from '../incidents/domain/breach';
import type { IncidentDetail } from '../incidents/incident-views';
import { bangkokLocal } from './dto/dsr-forms.dto';
import type {
  BreachAssessmentFormDto,
  ChangeIncidentFormDto,
  CloseCapaFormDto,
  IncidentFactsFormDto,
  NoticeFormDto,
  ReportIncidentFormDto,
  TimelineFormDto,
} from './dto/incident-forms.dto';
import { plainDetail, plainFieldProblems } from './plain-messages';

/** The incident page's forms (and the report form), as named in `FormState.form`. */
export type IncidentFormName =
  | 'report'
  | 'timeline'
  | 'change'
  | 'facts'
  | 'assessment'
  | 'notice'
  | 'capa'
  | `capa-close:${string}`
  | 'review'
  | 'risk';

/** A refused form: what was typed, each field's problem, and the refusal in words. */
export interface FormState<F extends string = IncidentFormName> {
  form: F;
  values: Record<string, unknown>;
  errors: Record<string, string>;
  detail: string;
}

/** Runs the global validation pipe on `plain` as the body of `cls` (400 with the fields named, as the API). */
export async function validated<T>(cls: new () => T, plain: object): Promise<T> {
  return (await createValidationPipe().transform(plain, { type: 'body', metatype: cls })) as T;
}

/** A `datetime-local` value as an instant in the compliance zone; anything else is left for validation. */
export const instant = (v: string | undefined): string | undefined => bangkokLocal({ value: v }) as string | undefined;
/** "a, b ,c" → ["a", "b", "c"]. */
export const commaList = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
/** "" → null; digits → a number; anything else stays for validation to name. */
const count = (v: string | undefined): unknown => (!v ? null : /^\d+$/.test(v) ? Number(v) : v);
const orNull = (v: string | undefined): string | null => (v ? v : null);

export function reportBody(f: ReportIncidentFormDto): object {
  return {
    title: f.title ?? '',
    description: f.description ?? '',
    severity: f.severity ?? '',
    categories: f.categories ?? [],
    detectedAt: instant(f.detectedAt),
    awareAt: instant(f.awareAt),
    affectedSystems: commaList(f.affectedSystems),
    products: commaList(f.products),
    customers: commaList(f.customers),
    adverseEventCategory: f.adverseEventCategory || undefined,
  };
}

export function timelineBody(f: TimelineFormDto): object {
  return { kind: f.kind ?? '', text: f.text ?? '', at: instant(f.at) };
}

/** Only what changed: a select left as it was is not a change (the API then has nothing to refuse). */
export function changeBody(f: ChangeIncidentFormDto, current: IncidentDetail): object {
  const body: Record<string, unknown> = { version: Number(f.version) || undefined };
  if (f.status && f.status !== current.status) body.status = f.status;
  if (f.severity && f.severity !== current.severity) {
    body.severity = f.severity;
    body.severityReason = f.severityReason ?? '';
  }
  const commander = f.commanderUserId || null;
  if (current.commander !== undefined && commander !== (current.commander?.id ?? null))
    body.commanderUserId = commander;
  return body;
}

/** A `datetime-local` has no seconds: the typed time is the same as `at` when it names the same minute. */
const sameMinute = (typed: string, at: string | null): boolean =>
  at !== null && instant(typed) === instant(wallClock(new Date(at)).replace(' ', 'T'));
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, k) => v === b[k]);
const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((v) => b.includes(v));
/** Textareas send CRLF: the same text with other line ends is not a change. */
const lines = (v: string) => v.replace(/\r\n?/g, '\n');
/** An optional time: empty when there is none is no change, emptied clears it (null), a new minute sets it. */
function optionalTime(typed: string | undefined, at: string | null): string | null | undefined {
  if (typed === undefined) return undefined;
  if (typed === '') return at === null ? undefined : null;
  return sameMinute(typed, at) ? undefined : instant(typed);
}

/**
 * "Correct the facts": only what differs from the incident, so an untouched form changes nothing and a
 * refused field is the one that was changed. A field the form did not send is left as it is; times are
 * compared at the minute, categories as a set; an emptied title, description or awareness is sent (empty) for
 * the validation to refuse.
 */
export function factsBody(f: IncidentFactsFormDto, current: IncidentDetail): object {
  const body: Record<string, unknown> = { version: Number(f.version) || undefined };
  if (f.title !== undefined && f.title.trim() !== current.title) body.title = f.title;
  if (f.description !== undefined && lines(f.description) !== lines(current.description))
    body.description = f.description;
  const categories = f.categories ?? [];
  if (!sameSet(categories, current.categories)) body.categories = categories;
  if (f.awareAt !== undefined && !sameMinute(f.awareAt, current.awareAt)) body.awareAt = instant(f.awareAt) ?? '';
  for (const k of ['affectedSystems', 'products', 'customers'] as const) {
    const list = f[k] === undefined ? null : commaList(f[k]);
    if (list && !sameList(list, current[k])) body[k] = list;
  }
  if (f.adverseEventCategory !== undefined) {
    const category = f.adverseEventCategory || null;
    if (category !== current.adverseEventCategory) body.adverseEventCategory = category;
  }
  const started = optionalTime(f.fscaStartedAt, current.fscaStartedAt);
  if (started !== undefined) body.fscaStartedAt = started;
  const closed = optionalTime(f.fscaClosedAt, current.fscaClosedAt);
  if (closed !== undefined) body.fscaClosedAt = closed;
  return body;
}

export function assessmentBody(f: BreachAssessmentFormDto): object {
  const form = f as Record<string, string | undefined>;
  return {
    types: f.types ?? [],
    dataCategories: commaList(f.dataCategories),
    sensitive: f.sensitive === '1' || f.sensitive === 'on' || f.sensitive === 'true',
    subjectsApprox: count(f.subjectsApprox),
    recordsApprox: count(f.recordsApprox),
    factors: Object.fromEntries(
      BREACH_FACTORS.map((k) => [k, { level: form[`${k}Level`] ?? '', note: orNull(form[`${k}Note`]) }]),
    ),
    likelyConsequences: f.likelyConsequences ?? '',
    measuresTaken: f.measuresTaken ?? '',
    measuresProposed: orNull(f.measuresProposed),
    decision: f.decision ?? '',
    reasons: f.reasons ?? '',
  };
}

export function noticeBody(f: NoticeFormDto): object {
  return {
    kind: f.kind ?? '',
    sentAt: instant(f.sentAt) ?? '',
    channel: f.channel ?? '',
    reference: orNull(f.reference),
    recipientsCount: count(f.recipientsCount),
    lateReason: orNull(f.lateReason),
  };
}

export function closeCapaBody(f: CloseCapaFormDto): object {
  return {
    status: f.status ?? '',
    verificationEvidenceId: f.status === 'done' ? orNull(f.verificationEvidenceId) : null,
    note: orNull(f.note),
  };
}

/** The API's field (`factors.nature.level`) as the form's (`natureLevel`). */
export function formField(field: string): string {
  const factor = /^factors\.(\w+)\.(level|note)$/.exec(field);
  if (factor) return `${factor[1]}${factor[2] === 'level' ? 'Level' : 'Note'}`;
  return field.replace(/\.\d+$/, '');
}

/** The refused form's state: its values and each field's problems, in plain words. */
export function refusedForm<F extends string = IncidentFormName>(
  form: F,
  values: object,
  problem: { message: string; errors: FieldProblem[] },
): FormState<F> {
  const errors: Record<string, string> = {};
  for (const p of plainFieldProblems(problem.errors)) {
    const field = formField(p.field);
    errors[field] = errors[field] ? `${errors[field]} ${p.message}` : p.message;
  }
  return { form, values: { ...values }, errors, detail: plainDetail(problem.message, problem.errors) };
}
