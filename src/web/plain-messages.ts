// Messages for people on pages. The API keeps its precise problem+json ("title must be longer than or equal to
// 1 characters", "Your role (viewer) may not read DsrRequest."); a page says the same in plain words ("Title is
// required.", "You do not have access to this page."). Pure: unit-tested in plain-messages.spec.ts.
import type { FieldProblem } from '../common/errors/app-error';

/** "lateReason" → "Late reason", "subject.email" → "Subject email" (list indexes left out). */
export function fieldLabel(field: string): string {
  const words = field
    .split('.')
    .filter((part) => !/^\d+$/.test(part))
    .join(' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
  return words ? words[0].toUpperCase() + words.slice(1) : 'This field';
}

/** The singular of a list field's label, lower case: "Frameworks" → "framework", "Categories" → "category". */
function oneOf(label: string): string {
  const lower = label.toLowerCase();
  if (lower.endsWith('ies')) return `${lower.slice(0, -3)}y`;
  if (/(ss|sh|ch|x)es$/.test(lower)) return lower.slice(0, -2);
  return lower.endsWith('s') ? lower.slice(0, -1) : lower;
}

const sentence = (text: string) => {
  const t = text.trim();
  if (!t) return 'This value is not accepted.';
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(s) ? s : `${s}.`;
};

/** One problem of a field, in plain words; `required` when it only says the field was left empty. */
function plainOne(field: string, message: string): { text: string; required: boolean; list: boolean } {
  // A position in an uploaded file (`documents[0].manual`): the person needs the path to find it in the file.
  if (field.includes('[')) return { text: `${field}: ${message}`, required: false, list: false };
  const label = fieldLabel(field);
  const property =
    field
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .pop() ?? field;
  const each = /^each value in /.test(message);
  // class-validator's messages start with the property's name ("title must …", "each value in roles must …").
  const rest = message
    .replace(/^each value in /, '')
    .replace(new RegExp(`^(${escape(field)}|${escape(property)})\\s+`), '')
    .trim();
  const list = each || /\ban array\b|at least \d+ elements?/.test(rest);
  const required = (text: string) => ({ text, required: true, list });
  const plain = (text: string) => ({ text, required: false, list });
  if (/^(should not be empty|must not be empty|is required$|must be longer than or equal to 1 characters?$)/.test(rest))
    return required(`${label} is required.`);
  if (/^must be a string$/.test(rest)) return required(`${label} is required.`);
  if (/^must be an array$|^must contain at least 1 elements?$|^must \w+ at least (one|1)\b/.test(rest))
    return { text: '', required: true, list: true };
  let m: RegExpExecArray | null;
  if ((m = /^must be longer than or equal to (\d+) characters?$/.exec(rest)))
    return plain(`${label} must be at least ${m[1]} characters long.`);
  if ((m = /^must be shorter than or equal to (\d+) characters?$/.exec(rest)))
    return plain(`${label} must be at most ${m[1]} characters long.`);
  if (/^must be one of the following values/.test(rest))
    return plain(
      each ? `Choose ${label.toLowerCase()} from the list.` : `Choose one of the options for ${label.toLowerCase()}.`,
    );
  if (/^must be an? (email|e-mail)( address)?$/.test(rest)) return plain(`${label} must be an e-mail address.`);
  if (/^must be a UUID$/.test(rest)) return plain(`${label}: choose one from the list.`);
  if (/^must be a valid ISO 8601 date string$|^must be a Date instance$/.test(rest))
    return plain(`${label} must be a date and time.`);
  if (/^must be an integer number$/.test(rest)) return plain(`${label} must be a whole number.`);
  if (/^must be a number/.test(rest)) return plain(`${label} must be a number.`);
  if ((m = /^must not be less than (-?[\d.]+)$/.exec(rest))) return plain(`${label} must be at least ${m[1]}.`);
  if ((m = /^must not be greater than (-?[\d.]+)$/.exec(rest))) return plain(`${label} must be at most ${m[1]}.`);
  if (/^must be a boolean value$/.test(rest)) return plain(`${label} must be ticked or not.`);
  if (/^must match .* regular expression$/.test(rest)) return plain(`${label} is not in the expected format.`);
  if (/^is not an allowed field$/.test(rest)) return plain(`The form sent a field this page does not take (${field}).`);
  // A message written in the code for this field ("must name at least one category"): its words, with the label.
  const aboutTheField = rest !== message || /^(is|are|must|should|has|have|needs?|cannot|may)\b/.test(rest);
  return plain(sentence(aboutTheField ? `${label} ${rest}` : message));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Each field's problems in plain words, one entry per field in the order they came. A field left empty trips
 * several rules at once ("must be framework keys; must be an array"): then it only says what to do about that
 * ("Choose at least one framework.", "Title is required.").
 */
export function plainFieldProblems(problems: FieldProblem[]): FieldProblem[] {
  const byField = new Map<string, ReturnType<typeof plainOne>[]>();
  for (const p of problems) {
    const key = p.field.replace(/\.\d+$/, '');
    byField.set(key, [...(byField.get(key) ?? []), plainOne(key, p.message)]);
  }
  return [...byField].map(([field, all]) => {
    const list = all.some((p) => p.list);
    if (all.some((p) => p.required))
      return {
        field,
        message: list ? `Choose at least one ${oneOf(fieldLabel(field))}.` : `${fieldLabel(field)} is required.`,
      };
    return { field, message: [...new Set(all.map((p) => p.text))].join(' ') };
  });
}

/** What the top of a refused form or the error page says: the plain problems, or the message as it was. */
export function plainDetail(detail: string, problems: FieldProblem[]): string {
  return problems.length
    ? plainFieldProblems(problems)
        .map((p) => p.message)
        .join(' ')
    : detail;
}

/** The error page's title per status, in plain words. */
const PAGE_TITLES: Record<number, string> = {
  400: 'Please check what you entered',
  403: 'No access',
  404: 'Not found',
  409: 'Changed in the meantime',
  413: 'Too large',
  422: 'Not possible',
  500: 'Something went wrong',
};

/** The problem document as a page shows it: plain title, detail and field problems. */
export function plainProblem<
  P extends { status: number; title: string; detail: string; code: string; errors: FieldProblem[] },
>(problem: P, method: string): P {
  // The policy guard's "Your role (viewer) may not read DsrRequest." names internals; other refusals are written
  // for people already ("You may not revoke engagements.").
  const forbidden = problem.code === 'auth.forbidden' || problem.code === 'auth.no_policy';
  const detail =
    problem.status === 403 && forbidden
      ? method === 'GET'
        ? 'You do not have access to this page.'
        : 'You are not allowed to do this.'
      : problem.errors.length
        ? 'Nothing was saved. Please correct this and send the form again:'
        : problem.detail;
  return {
    ...problem,
    title: PAGE_TITLES[problem.status] ?? problem.title,
    detail,
    errors: plainFieldProblems(problem.errors),
  };
}

/**
 * What a page confirms after an action (post/redirect/get: the redirect carries `?done=<key>`). Only these
 * fixed texts are ever shown, so a crafted link cannot put words on the page.
 */
const CONFIRMATIONS: Readonly<Record<string, string>> = {
  'task.attested': 'Attested: the task is done.',
  'task.exception': 'Exception raised: the task is done, and the exception is on record.',
  'evidence.uploaded': 'Evidence uploaded and stored; the task is done.',
  'evidence.corrected': 'Correction stored: the new item supersedes the old one, which stays on record.',
  'owner.assigned': 'Owner assigned: they are notified and receive this control’s tasks.',
};

/** The confirmation for `done` (a query value), or null for anything that is not one of ours. */
export function confirmation(done: unknown): string | null {
  return typeof done === 'string' && Object.hasOwn(CONFIRMATIONS, done) ? CONFIRMATIONS[done] : null;
}
