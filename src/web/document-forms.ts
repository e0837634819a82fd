// From the document pages' flat forms to the documents API's DTOs, validated exactly as the API validates
// them (the same classes, the same pipe: see incident-forms.ts), so the page and the API refuse the same
// things with the same words. A refused form keeps what was typed (never a password) and shows each problem
// next to its field.
import type { FieldProblem } from '../common/errors/app-error';
import type { NewDocumentFormDto, VersionFormDto } from './dto/document-forms.dto';
import { commaList, formField } from './incident-forms';
import { plainDetail, plainFieldProblems } from './plain-messages';

/** The document pages' forms, as named in `DocumentFormState.form`. */
export type DocumentFormName =
  'new' | 'version' | 'edit' | 'submit' | 'sign' | 'reject' | 'publish' | 'retire' | `acknowledge:${string}`;

/** A refused form: what was typed, each field's problem, and the refusal in words. */
export interface DocumentFormState {
  form: DocumentFormName;
  values: Record<string, unknown>;
  errors: Record<string, string>;
  detail: string;
}

const ticked = (v: string | undefined) => v === '1' || v === 'on' || v === 'true';
/** "" → not given; digits → a number; anything else stays for validation to name. */
const months = (v: string | undefined): unknown => (!v ? undefined : /^\d+$/.test(v) ? Number(v) : v);

export function newDocumentBody(f: NewDocumentFormDto): object {
  return {
    key: (f.key ?? '').trim(),
    title: (f.title ?? '').trim(),
    type: f.type ?? '',
    ownerDepartment: f.ownerDepartment ?? '',
    audience: { everyone: ticked(f.everyone), roles: f.roles ?? [], departments: f.departments ?? [] },
    reviewCadenceMonths: months(f.reviewCadenceMonths),
    controls: commaList(f.controls).map((c) => c.toUpperCase()),
  };
}

/** Textareas send CRLF: the Markdown is kept with the line ends it is hashed with everywhere else. */
const lf = (v: string) => v.replace(/\r\n?/g, '\n');

/** A new version, or the changes to a draft (the whole form: what did not change is sent as it was). */
export function versionBody(f: VersionFormDto): object {
  return {
    content: lf(f.content ?? ''),
    changeSummary: (f.changeSummary ?? '').trim(),
    material: ticked(f.material),
    effectiveOn: f.effectiveOn ? f.effectiveOn : undefined,
  };
}

/** The refused form's state: its values (a password left out) and each field's problems, in plain words. */
export function refusedDocumentForm(
  form: DocumentFormName,
  values: object,
  problem: { message: string; errors: FieldProblem[] },
): DocumentFormState {
  const errors: Record<string, string> = {};
  for (const p of plainFieldProblems(problem.errors)) {
    const field = formField(p.field).replace(/^audience\./, '');
    errors[field] = errors[field] ? `${errors[field]} ${p.message}` : p.message;
  }
  const kept: Record<string, unknown> = { ...values };
  delete kept.password;
  return { form, values: kept, errors, detail: plainDetail(problem.message, problem.errors) };
}
