// View models of the audit packs' pages: the list of packs the person may read (with the form that asks for
// one), and a pack's page (progress through the build stages while it builds, downloads when done, the
// reason when it failed). Pure functions of the services' views.
import type { PackView } from '../audit-packs/dto/pack.dto';
import type { FieldProblem } from '../common/errors/app-error';
import type { Page } from '../common/http/pagination';
import type { EngagementView } from '../engagements/dto/engagement.dto';
import { zoneLabel } from '../common/time/zone';
import { bytes } from './home.page';
import { formField } from './incident-forms';
import { csvTime, timeHeader, type CsvColumn } from './list-csv';

const STAGES = ['collecting', 'rendering', 'signing', 'zipping', 'done'] as const;

/** Packs per page of the list. */
export const PACKS_PAGE = 50;

export function auditPackPage(pack: PackView) {
  return {
    pageTitle: `Audit pack ${pack.framework} ${pack.from}–${pack.to}`,
    pack,
    building: pack.status === 'queued' || pack.status === 'building',
    done: pack.status === 'done',
    failed: pack.status === 'failed',
    stages: STAGES.map((s) => ({ name: s, current: s === pack.stage })),
  };
}

/** The refused request form: what was typed, each field's problem, and the refusal in words. */
export interface PackFormState {
  values: Record<string, unknown>;
  errors: Record<string, string>;
  detail: string;
}

export function refusedPackForm(values: object, problem: { message: string; errors: FieldProblem[] }): PackFormState {
  const errors: Record<string, string> = {};
  for (const p of problem.errors) {
    const field = formField(p.field);
    errors[field] = errors[field] ? `${errors[field]}; ${p.message}` : p.message;
  }
  return { values: { ...values }, errors, detail: problem.message };
}

/** The user id in a pseudonymous actor reference (`user:<id>`), or null (`system:cli`, …). */
export function userIdOfRef(ref: string): string | null {
  return ref.startsWith('user:') ? ref.slice(5) : null;
}

/** "soc2, iso27001 · 2026-01-01 – 2026-12-31 · Auditor name" */
function engagementLabel(e: EngagementView): string {
  return `${e.frameworks.join(', ')} · ${e.from} – ${e.to} · ${e.auditorName ?? 'auditor'}`;
}

const engagementsById = (all: EngagementView[]) => new Map(all.map((e) => [e.id, e]));

/** One pack as the list shows it: who asked by name, its engagement in words, its sizes. */
function packRow(p: PackView, names: Map<string, string>, engagements: Map<string, EngagementView>) {
  const userId = userIdOfRef(p.requestedBy);
  const engagement = p.engagementId ? engagements.get(p.engagementId) : undefined;
  return {
    ...p,
    requestedByName: userId ? (names.get(userId) ?? 'a former user') : 'the system',
    engagement: p.engagementId ? (engagement ? engagementLabel(engagement) : 'an engagement') : null,
    // The ZIP holds the PDF too: its size is the pack's.
    zipSize: p.zip ? bytes(p.zip.bytes) : null,
    pdfSize: p.pdf ? bytes(p.pdf.bytes) : null,
    building: p.status === 'queued' || p.status === 'building',
  };
}

type PackRow = ReturnType<typeof packRow>;

const PACK_CSV_COLUMNS: CsvColumn<PackRow>[] = [
  { header: 'Framework', value: (p) => p.framework },
  { header: 'From', value: (p) => p.from },
  { header: 'To', value: (p) => p.to },
  { header: 'Engagement', value: (p) => p.engagement },
  { header: 'Status', value: (p) => p.status },
  { header: 'Requested by', value: (p) => p.requestedByName },
  { header: timeHeader('Requested'), value: (p) => csvTime(p.createdAt) },
  { header: timeHeader('Finished'), value: (p) => csvTime(p.finishedAt) },
  { header: 'ZIP bytes', value: (p) => p.zip?.bytes },
  { header: 'ZIP SHA-256', value: (p) => p.zip?.sha256 },
  { header: 'PDF SHA-256', value: (p) => p.pdf?.sha256 },
  { header: 'Signing certificate SHA-256', value: (p) => p.signerFingerprint },
  { header: 'Error', value: (p) => p.error },
];

/** The packs list's CSV: every pack the person may read, as the list names them. */
export function packCsv(packs: PackView[], names: Map<string, string>, engagements: EngagementView[]) {
  const byId = engagementsById(engagements);
  return { columns: PACK_CSV_COLUMNS, rows: packs.map((p) => packRow(p, names, byId)) };
}

/**
 * The packs list: each pack with its scope (framework, period, engagement), who asked (a name), when
 * (the template shows times in the compliance zone), its size and downloads once done; and the request
 * form for those who may ask (frameworks: the catalog's for a compliance manager, their engagements' for
 * an auditor; engagements: the active ones they see).
 */
export function auditPacksPage(input: {
  list: Page<PackView>;
  names: Map<string, string>;
  engagements: EngagementView[];
  /** Null when the person may not ask for packs. */
  frameworks: { key: string; name: string }[] | null;
  /** An auditor's packs belong to an engagement: the form has no "none". */
  engagementRequired: boolean;
  form: PackFormState | null;
  formKey: string;
  today: string;
}) {
  const { list } = input;
  const engagements = engagementsById(input.engagements);
  const active = input.engagements.filter((e) => e.state === 'active');
  const first = active[0];
  const values: Record<string, unknown> = input.form?.values ?? {
    framework: first?.frameworks[0] ?? input.frameworks?.[0]?.key ?? '',
    from: first?.from ?? `${input.today.slice(0, 4)}-01-01`,
    to: first?.to ?? input.today,
    engagementId: input.engagementRequired ? (first?.id ?? '') : '',
  };
  const link = (offset: number) => `?offset=${offset}`;
  return {
    pageTitle: 'Audit packs',
    zone: zoneLabel(),
    packs: list.items.map((p) => packRow(p, input.names, engagements)),
    total: list.total,
    csv: '/audit/packs/export.csv',
    shownFrom: list.items.length === 0 ? 0 : list.offset + 1,
    shownTo: list.offset + list.items.length,
    previous: list.offset > 0 ? link(Math.max(0, list.offset - list.limit)) : null,
    next: list.offset + list.items.length < list.total ? link(list.offset + list.limit) : null,
    request: input.frameworks
      ? {
          frameworks: input.frameworks.map((f) => ({ ...f, selected: f.key === values.framework })),
          engagements: active.map((e) => ({
            id: e.id,
            label: engagementLabel(e),
            selected: e.id === values.engagementId,
          })),
          engagementRequired: input.engagementRequired,
          values,
          errors: input.form?.errors ?? {},
          detail: input.form?.detail ?? null,
        }
      : null,
    formKey: input.formKey,
  };
}
