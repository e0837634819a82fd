// View models of the controlled-document pages (issue 17): the list, one document (metadata, the version in
// force rendered from Markdown, the version on its way with its approvals and forms, the versions, a diff,
// the roster) and "my acknowledgements". Pure functions of the services' views, the ability and the time now.
import type MarkdownIt from 'markdown-it';
import { lazyModule, onFirstUse } from '../common/lazy-module';
import type { AppAbility } from '../authz/ability.factory';
import { ROLES } from '../authz/actor';
import { asSubject } from '../authz/subject';
import type { Page } from '../common/http/pagination';
import { dayOf } from '../common/time/days';
import { csvHref, type CsvColumn } from './list-csv';
import { zoneLabel } from '../common/time/zone';
import { DOCUMENT_TYPES, SIGNATURE_MEANINGS } from '../documents/domain/document-model';
import type { AcknowledgementView, RosterEntryView, RosterView } from '../documents/dto/acknowledgement.dto';
import type { DiffView, DocumentView, SignatureView, VersionView } from '../documents/dto/document.dto';
import type { DocumentFormName, DocumentFormState } from './document-forms';

// Raw HTML is escaped (html: false) and markdown-it's default link validation leaves javascript:, vbscript:,
// file: and data: (but for images) URLs unlinked: what a policy's author writes cannot run in a reader's page.
const markdown = onFirstUse(() => new (lazyModule<typeof MarkdownIt>('markdown-it')())({ html: false }));

/** A version's Markdown as inert HTML (no script, no raw HTML, no script URLs). */
export function renderMarkdown(source: string): string {
  return markdown().render(source);
}

const words = (key: string) => key.replace(/_/g, ' ');
const TYPE_LABEL: Record<string, string> = { work_instruction: 'work instruction' };
const STATUS_LABEL: Record<string, string> = { in_review: 'in review' };
const typeLabel = (t: string) => TYPE_LABEL[t] ?? t;
const statusLabel = (s: string) => STATUS_LABEL[s] ?? s;
/** The statuses of a version still on its way to publication (one at a time). */
const OPEN_STATUSES = ['draft', 'in_review', 'approved'];

/** An option of a select (or a checkbox) with whether it is chosen. */
const options = (keys: readonly string[], chosen: unknown, label: (k: string) => string = words) =>
  keys.map((key) => ({
    key,
    label: label(key),
    selected: Array.isArray(chosen) ? chosen.includes(key) : chosen === key,
  }));

/** A form's state on the page: the refused one as sent, the others from their defaults. */
function formOf(failed: DocumentFormState | null | undefined, name: DocumentFormName, defaults: object) {
  const mine = failed?.form === name ? failed : null;
  return {
    values: (mine?.values ?? defaults) as Record<string, unknown>,
    errors: mine?.errors ?? {},
    detail: mine?.detail ?? null,
  };
}

/** "everyone", or the roles and departments named. */
export function audienceText(a: DocumentView['audience'], departmentName: (k: string) => string): string {
  if (a.everyone) return 'everyone in the company';
  const parts = [...a.roles.map((r) => `${words(r)}s`), ...a.departments.map(departmentName)];
  return parts.length ? parts.join(', ') : 'nobody yet';
}

export interface Department {
  key: string;
  name: string;
}

/** Where a document stands, in words: in force (with version) or not yet, and whether its review is late. */
function standing(d: DocumentView, today: string) {
  const reviewOverdue = d.nextReviewOn !== null && d.nextReviewOn < today;
  return {
    inForce: d.publishedVersion !== null,
    statusText:
      d.publishedVersion !== null
        ? `in force (v${d.publishedVersion})`
        : d.retiredAt !== null
          ? `retired on ${dayOf(new Date(d.retiredAt))}`
          : 'not yet published',
    reviewOverdue,
  };
}

/** The documents list as CSV (standing as of `today`, the compliance zone's day). */
export function documentCsvColumns(today: string): CsvColumn<DocumentView>[] {
  return [
    { header: 'Key', value: (d) => d.key },
    { header: 'Title', value: (d) => d.title },
    { header: 'Type', value: (d) => typeLabel(d.type) },
    { header: 'Department', value: (d) => d.ownerDepartment },
    { header: 'Status', value: (d) => standing(d, today).statusText },
    { header: 'Published version', value: (d) => d.publishedVersion },
    { header: 'Review every (months)', value: (d) => d.reviewCadenceMonths },
    { header: 'Next review', value: (d) => d.nextReviewOn },
    { header: 'Review overdue', value: (d) => standing(d, today).reviewOverdue },
    { header: 'Controls', value: (d) => d.controls.join('; ') },
  ];
}

export interface DocumentListInput {
  list: Page<DocumentView>;
  query: { q?: string; type?: string; department?: string };
  departments: Department[];
  ability: AppAbility;
  /** The departments the person may create documents for (all for compliance; their own for owners). */
  creatableDepartments: Department[];
  form: DocumentFormState | null;
  formKey: string;
  now: Date;
}

/** The document list: filters, a row per document, and the "new document" form for those allowed. */
export function documentListPage(input: DocumentListInput) {
  const { list, query } = input;
  const today = dayOf(input.now);
  const departmentName = nameOf(input.departments);
  const params = (offset: number) =>
    new URLSearchParams(
      Object.entries({ q: query.q, type: query.type, department: query.department, offset: String(offset) }).filter(
        (e): e is [string, string] => !!e[1],
      ),
    ).toString();
  const form = formOf(input.form, 'new', {
    type: 'policy',
    ownerDepartment: input.creatableDepartments[0]?.key ?? '',
    everyone: '',
    roles: [],
    departments: [],
  });
  const v = form.values;
  return {
    pageTitle: 'Documents',
    total: list.total,
    csv: csvHref('/documents/export.csv', { q: query.q, type: query.type, department: query.department }),
    filter: query,
    types: options(DOCUMENT_TYPES, query.type, typeLabel),
    departments: input.departments.map((d) => ({ ...d, selected: d.key === query.department })),
    documents: list.items.map((d) => ({
      ...d,
      typeLabel: typeLabel(d.type),
      departmentName: departmentName(d.ownerDepartment),
      ...standing(d, today),
    })),
    from: list.total === 0 ? 0 : list.offset + 1,
    to: list.offset + list.items.length,
    previous: list.offset > 0 ? `/documents?${params(Math.max(0, list.offset - list.limit))}` : null,
    next: list.offset + list.items.length < list.total ? `/documents?${params(list.offset + list.limit)}` : null,
    canCreate: input.creatableDepartments.length > 0,
    formKey: input.formKey,
    newForm: {
      ...form,
      open: !!form.detail,
      types: options(DOCUMENT_TYPES, v.type, typeLabel),
      owners: input.creatableDepartments.map((d) => ({ ...d, selected: d.key === v.ownerDepartment })),
      everyone: v.everyone === '1' || v.everyone === 'on',
      roles: options(
        ROLES.filter((r) => r !== 'auditor'),
        v.roles ?? [],
      ),
      audienceDepartments: input.departments.map((d) => ({
        ...d,
        selected: Array.isArray(v.departments) && v.departments.includes(d.key),
      })),
    },
  };
}

const nameOf = (departments: Department[]) => {
  const names = new Map(departments.map((d) => [d.key, d.name]));
  return (key: string) => names.get(key) ?? key;
};

export interface DocumentPageInput {
  doc: DocumentView;
  /** The versions the page shows in full, by number (the one in force, the open one, the one asked for). */
  versions: Map<number, VersionView>;
  /** `?version=n`: the version asked for, else the one in force. */
  shown: number | null;
  diff: DiffView | null;
  roster: RosterView | null;
  /** Names of the people the page mentions (owner, signers), by id. */
  names: Map<string, string>;
  departments: Department[];
  ability: AppAbility;
  form: DocumentFormState | null;
  formKey: string;
  now: Date;
}

/** What the person may do to this document, by the same rules the services apply. */
export function documentPermissions(ability: AppAbility, doc: DocumentView) {
  const subject = { ownerDepartment: doc.ownerDepartment };
  return {
    /** Start, change and submit versions (compliance; the owner department). */
    author: ability.can('update', asSubject('DocumentVersion', subject)),
    createVersion: ability.can('create', asSubject('DocumentVersion', subject)),
    /** May be asked to sign (whether the type names them is the signature service's check). */
    sign: ability.can('create', 'DocumentSignature'),
    publish: ability.can('manage', 'Document'),
  };
}

function signatureRow(s: SignatureView, names: Map<string, string>) {
  return {
    ...s,
    signer: names.get(s.signerUserId) ?? 'a former user',
    roleLabel: words(s.signerRole),
    meaningLabel: s.meaning === 'rejected' ? 'rejected' : s.meaning,
    shortSha: s.versionSha256.slice(0, 12),
  };
}

function versionBlock(v: VersionView, names: Map<string, string>) {
  return {
    ...v,
    statusLabel: statusLabel(v.status),
    html: renderMarkdown(v.content),
    approval: { ...v.approval, required: v.approval.required.map(words), missing: v.approval.missing.map(words) },
    author: names.get(v.createdBy) ?? null,
    signatures: v.signatures.map((s) => signatureRow(s, names)),
    currentSignatures: v.signatures.filter((s) => s.round === v.round).map((s) => signatureRow(s, names)),
  };
}

/** Runs of a diff with their line numbers, for a two-column table. */
function diffBlock(d: DiffView) {
  return {
    ...d,
    rows: d.hunks.flatMap((h) =>
      h.lines.map((text, k) => ({
        kind: h.kind,
        sign: h.kind === 'added' ? '+' : h.kind === 'removed' ? '−' : ' ',
        fromLine: h.fromLine === null ? '' : h.fromLine + k,
        toLine: h.toLine === null ? '' : h.toLine + k,
        text,
      })),
    ),
  };
}

/** The roster grouped by department, with each person's state in words. */
function rosterBlock(r: RosterView, doc: DocumentView, departmentName: (k: string) => string) {
  const groups = new Map<string, RosterEntryView[]>();
  for (const e of r.items) {
    const k = e.department ?? '';
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  return {
    ...r,
    total: r.items.length,
    csv: `/api/documents/${encodeURIComponent(doc.key)}/acknowledgements?format=csv`,
    departments: [...groups.entries()]
      .sort(([a], [b]) => departmentName(a).localeCompare(departmentName(b)))
      .map(([key, entries]) => ({
        key,
        name: key ? departmentName(key) : 'No department',
        acknowledged: entries.filter((e) => e.status === 'acknowledged').length,
        people: entries.map((e) => ({ ...e, roleLabel: words(e.role) })).sort((a, b) => a.name.localeCompare(b.name)),
      })),
  };
}

/** The lifecycle's forms, each with its values and problems (the refused one as typed). */
function documentForms(
  failed: DocumentFormState | null,
  draft: VersionView | null,
  newest: VersionView | null,
  openVersion: VersionView | null,
) {
  const ticked = (v: unknown) => v === '1' || v === 'on';
  const edit = formOf(failed, 'edit', {
    content: draft?.content ?? '',
    changeSummary: draft?.changeSummary ?? '',
    material: draft?.material ? '1' : '',
    effectiveOn: draft?.effectiveOn ?? '',
  });
  const version = formOf(failed, 'version', {
    content: newest?.content ?? '',
    changeSummary: '',
    material: '1',
    effectiveOn: '',
  });
  const sign = formOf(failed, 'sign', { meaning: 'approved' });
  const reject = formOf(failed, 'reject', { reason: '' });
  return {
    edit: { ...edit, material: ticked(edit.values.material) },
    version: { ...version, open: !!version.detail, material: ticked(version.values.material) },
    submit: formOf(failed, 'submit', {}),
    sign: { ...sign, meanings: options(SIGNATURE_MEANINGS, sign.values.meaning) },
    reject: { ...reject, open: !!reject.detail },
    publish: formOf(failed, 'publish', { effectiveOn: openVersion?.effectiveOn ?? '' }),
    retire: { ...formOf(failed, 'retire', { reason: '' }), open: failed?.form === 'retire' },
  };
}

/** One document: metadata, the version shown (in force by default), the open version and its forms. */
export function documentPage(input: DocumentPageInput) {
  const { doc, names } = input;
  const departmentName = nameOf(input.departments);
  const can = documentPermissions(input.ability, doc);
  const summaries = doc.versions ?? [];
  const open = summaries.find((v) => OPEN_STATUSES.includes(v.status)) ?? null;
  const openVersion = open ? (input.versions.get(open.number) ?? null) : null;
  const shownVersion = input.shown !== null ? (input.versions.get(input.shown) ?? null) : null;
  const newest = summaries[0] ? (input.versions.get(summaries[0].number) ?? null) : null;
  const draft = openVersion?.status === 'draft' ? openVersion : null;
  const shownIsOpen = shownVersion !== null && openVersion !== null && shownVersion.number === openVersion.number;
  return {
    pageTitle: `${doc.key} ${doc.title}`,
    zone: zoneLabel(),
    formKey: input.formKey,
    doc: {
      ...doc,
      typeLabel: typeLabel(doc.type),
      departmentName: departmentName(doc.ownerDepartment),
      owner: names.get(doc.ownerUserId) ?? null,
      audienceText: audienceText(doc.audience, departmentName),
      ...standing(doc, dayOf(input.now)),
    },
    shown: shownVersion && !shownIsOpen ? versionBlock(shownVersion, names) : null,
    open: openVersion
      ? {
          ...versionBlock(openVersion, names),
          isDraft: openVersion.status === 'draft',
          inReview: openVersion.status === 'in_review',
          approved: openVersion.status === 'approved',
        }
      : null,
    versions: summaries.map((v, k) => ({
      ...v,
      statusLabel: statusLabel(v.status),
      isShown: shownVersion?.number === v.number,
      pdf: `/api/documents/${encodeURIComponent(doc.key)}/versions/${v.number}/pdf`,
      previous: summaries[k + 1]?.number ?? null,
    })),
    diff: input.diff ? diffBlock(input.diff) : null,
    diffChoices: summaries.map((v) => ({
      number: v.number,
      diffSelected: input.diff?.to === v.number,
      againstSelected: input.diff ? input.diff.from === v.number : v.number === summaries[1]?.number,
    })),
    roster: input.roster ? rosterBlock(input.roster, doc, departmentName) : null,
    can: {
      edit: can.author && draft !== null,
      submit: can.author && draft !== null,
      newVersion: can.createVersion && open === null,
      sign: can.sign && openVersion?.status === 'in_review',
      publish: can.publish && openVersion?.status === 'approved',
      retire: can.publish && doc.publishedVersion !== null,
    },
    forms: documentForms(input.form, draft, newest, openVersion),
  };
}

export interface MyAcknowledgementsInput {
  list: Page<AcknowledgementView>;
  form: DocumentFormState | null;
  formKey: string;
}

/** "My acknowledgements": what I am asked to read, overdue and pending first, each with its due time. */
export function myAcknowledgementsPage(input: MyAcknowledgementsInput) {
  const tasks = input.list.items.map((a) => ({
    ...a,
    overdue: a.status === 'overdue',
    open: a.status !== 'acknowledged',
    read: `/documents/${encodeURIComponent(a.documentKey)}?version=${a.versionNumber}`,
    error: input.form?.form === `acknowledge:${a.id}` ? input.form.detail : null,
  }));
  return {
    pageTitle: 'My acknowledgements',
    zone: zoneLabel(),
    formKey: input.formKey,
    open: tasks.filter((t) => t.open),
    done: tasks.filter((t) => !t.open),
    overdue: tasks.filter((t) => t.overdue).length,
    total: input.list.total,
  };
}
