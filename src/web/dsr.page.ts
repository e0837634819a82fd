// View models of the DSR pages: how a request's clocks, steps and receipt are shown. Pure functions of
// the service's views (no Nest, no TypeORM), so what a page says is decided in one place.
import { erasureMethods, type ErasureMethod, type MappedTable } from '../dsr/domain/data-map';
import { describeRemaining, type Clock, type ClockState } from '../dsr/domain/dsr-clocks';
import { GROUND_LABEL, type DsrGround } from '../dsr/domain/dsr-grounds';
import type { DsrActionView, DsrRequestView } from '../dsr/dto/dsr.dto';
import { DAY_MS } from '../common/time/days';

const CLOCK_LABEL: Record<ClockState, string> = {
  ok: 'on time',
  due_soon: 'due soon',
  overdue: 'overdue',
  met: 'met',
  missed: 'missed',
  not_owed: 'not owed',
};

/** How erasure left a table, in the receipt's and the data map's words. */
export const METHOD_LABEL_DONE: Record<ErasureMethod, string> = {
  delete: 'deleted',
  anonymise: 'anonymised',
  pseudonymise: 'pseudonymised',
  retain: 'retained',
};

export function groundLabel(ground: string | null): string | null {
  return ground ? (GROUND_LABEL[ground as DsrGround] ?? ground) : null;
}

export const RIGHT_LABEL: Record<string, string> = {
  access: 'access and copy',
  portability: 'portability',
  objection: 'objection',
  erasure: 'erasure',
  restriction: 'restriction',
  rectification: 'rectification',
  withdraw_consent: 'withdrawal of consent',
};

export const METHOD_LABEL: Record<string, string> = {
  id_document: 'identity document',
  email_link: 'e-mail link',
  phone_callback: 'phone call-back',
  in_person: 'in person',
  account_login: 'signed in to their account',
  synthetic: 'synthetic (drill)',
};

export interface ClockCell {
  /** The deadline; an objection's separation: when it becomes overdue (null while not owed). */
  dueAt: string | null;
  /** "3d 4h left", "2h late", or "met"/"missed" once closed. */
  text: string;
  state: ClockState;
  label: string;
  /** Still running (the request is open). */
  open: boolean;
}

/**
 * A clock as a table cell: time left or late while open, met or missed once closed. An objection's
 * separation clock says how long separation took after receipt (or has been waiting), never a day count.
 */
export function clockCell(clock: Clock | null): ClockCell | null {
  if (!clock) return null;
  const cell = {
    dueAt: clock.dueAt,
    state: clock.state,
    label: CLOCK_LABEL[clock.state],
    open: clock.remainingMs !== null,
  };
  if (clock.measure === 'separation') {
    const elapsed = describeElapsed(clock.elapsedMs ?? 0);
    const text =
      clock.state === 'met'
        ? `met: separated ${elapsed} after receipt`
        : clock.state === 'not_owed'
          ? `not owed: identity not verified (${elapsed} since receipt)`
          : clock.state === 'missed'
            ? `missed: closed without separating (${elapsed} after receipt)`
            : `separation pending ${elapsed} after receipt, ${describeRemaining(clock.remainingMs)}`;
    return { ...cell, text };
  }
  return {
    ...cell,
    text: clock.remainingMs === null ? CLOCK_LABEL[clock.state] : describeRemaining(clock.remainingMs),
  };
}

/** A short elapsed time with seconds when under a minute: "5 s", "4h 10m". */
export function describeElapsed(ms: number): string {
  return ms < 60_000 ? `${Math.max(0, Math.round(ms / 1000))} s` : describeDuration(ms);
}

/** A duration as "2d 3h", "4h 10m" or "12m". */
export function describeDuration(ms: number): string {
  const abs = Math.max(0, ms);
  const d = Math.floor(abs / DAY_MS);
  const h = Math.floor((abs % DAY_MS) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m`;
}

/** One row of the DSR queue. */
export function queueRow(r: DsrRequestView) {
  return {
    id: r.id,
    reference: r.reference,
    right: r.right,
    rightLabel: RIGHT_LABEL[r.right] ?? r.right,
    groundLabel: groundLabel(r.ground),
    section: r.section,
    status: r.status,
    statusLabel: r.status.replace(/_/g, ' '),
    receivedAt: r.receivedAt,
    internal: clockCell(r.clocks.internal),
    statutory: clockCell(r.clocks.statutory),
    identityWait: describeDuration(r.clocks.identityWaitMs),
    identityWaiting: r.verifiedAt === null && r.closedAt === null,
    isDrill: r.isDrill,
    isRepresentative: r.isRepresentative,
    subject: r.subject ?? null,
    unreadable: r.unreadable ?? null,
  };
}

export interface TimelineStep {
  key: string;
  label: string;
  at: string | null;
  detail: string | null;
  done: boolean;
}

/**
 * The status timeline: what happened when, from the request's own timestamps (nothing invented). A step
 * not done says so in its label ("Identity not verified yet"), never the done wording without a time.
 */
export function timeline(r: DsrRequestView): TimelineStep[] {
  const verified = verifiedStep(r);
  const steps: TimelineStep[] = [
    {
      key: 'received',
      label: 'Received',
      at: r.receivedAt,
      detail: `by ${r.channel.replace(/_/g, ' ')}${r.isRepresentative ? ', from a representative' : ''}`,
      done: true,
    },
  ];
  const separated: TimelineStep | null = r.separatedAt
    ? {
        key: 'separated',
        label: 'Data separated',
        at: r.separatedAt,
        detail: `${describeElapsed(new Date(r.separatedAt).getTime() - new Date(r.receivedAt).getTime())} after receipt (${r.section} para 2)`,
        done: true,
      }
    : null;
  // A direct-marketing objection is separated before identity is verified: keep the order of events.
  if (separated && (!r.verifiedAt || r.separatedAt! < r.verifiedAt)) steps.push(separated, verified);
  else steps.push(verified, ...(separated ? [separated] : []));
  if (r.exportedAt)
    steps.push({
      key: 'exported',
      label: 'Exported',
      at: r.exportedAt,
      detail: r.exportBytes === null ? null : `${r.exportBytes} bytes, SHA-256 ${r.exportSha256 ?? ''}`,
      done: true,
    });
  if (r.erasureScheduledFor && !r.erasedAt)
    steps.push({
      key: 'erasure-scheduled',
      label: 'Erasure scheduled for',
      at: r.erasureScheduledFor,
      detail: null,
      done: false,
    });
  if (r.erasedAt)
    steps.push({ key: 'erased', label: 'Erased', at: r.erasedAt, detail: 'see the erasure receipt below', done: true });
  if (r.status === 'completed')
    steps.push({ key: 'completed', label: 'Completed', at: r.closedAt, detail: r.closingNote, done: true });
  if (r.status === 'rejected')
    steps.push({ key: 'rejected', label: 'Rejected', at: r.closedAt, detail: r.rejectionReason, done: true });
  return steps;
}

/** The identity step of the timeline: verified (how, after how long), never verified, or still waiting. */
function verifiedStep(r: DsrRequestView): TimelineStep {
  return r.verifiedAt
    ? {
        key: 'verified',
        label: 'Identity verified',
        at: r.verifiedAt,
        detail: `${METHOD_LABEL[r.verificationMethod ?? ''] ?? r.verificationMethod ?? ''}, after ${describeDuration(r.clocks.identityWaitMs)}`,
        done: true,
      }
    : r.closedAt
      ? {
          key: 'verified',
          label: 'Identity never verified',
          at: null,
          detail: `closed after ${describeDuration(r.clocks.identityWaitMs)} without verification`,
          done: false,
        }
      : {
          key: 'verified',
          label: 'Identity not verified yet',
          at: null,
          detail: `waiting ${describeDuration(r.clocks.identityWaitMs)}`,
          done: false,
        };
}

/** A step of a request in one system, with what it did in words. */
export function actionRow(a: DsrActionView) {
  const tables = Array.isArray(a.summary?.tables)
    ? (a.summary.tables as { table: string; rows: number; rule?: string }[])
    : [];
  const reason = typeof a.summary?.reason === 'string' ? a.summary.reason : null;
  return {
    ...a,
    kindLabel: a.kind.replace(/^manual-/, 'manual ').replace(/_/g, ' '),
    statusLabel: a.status.replace(/_/g, ' '),
    failed: a.status === 'failed',
    tables: tables.map(
      (t) =>
        `${t.table}: ${t.rows} row${t.rows === 1 ? '' : 's'}${t.rule ? ` ${t.rule === 'retain' ? 'retained' : t.rule === 'delete' ? 'deleted' : t.rule === 'anonymise' ? 'anonymised' : t.rule}` : ''}`,
    ),
    reason,
  };
}

interface ReceiptTable {
  table: string;
  rule: string;
  /** Receipts before grounds were recorded have no method: the rule stands for it. */
  method?: ErasureMethod;
  insteadOf?: string;
  linkedBy?: string[];
  rows: number;
  basis?: string;
  retention?: string;
}

interface Receipt {
  ground?: string | null;
  systems?: { system: string; tables: ReceiptTable[] }[];
  residue?: { system: string; tables: { table: string; rows: number; retained: boolean; basis?: string }[] }[];
  totals?: { deleted: number; anonymised: number; pseudonymised?: number; retained: number };
  manualPending?: string[];
  backups?: { retentionDays: number; expireAt: string; statutoryDeadline: string; withinStatutoryPeriod: boolean };
}

/**
 * The erasure receipt as the page shows it: per table the method used, what remains of the subject, where
 * and on what basis, whether the subject must be told a method other than deletion was used, residue, backups.
 */
export function receiptView(receipt: Record<string, unknown> | null) {
  if (!receipt) return null;
  const r = receipt as Receipt;
  const label = (m: string) => METHOD_LABEL_DONE[m as ErasureMethod] ?? m;
  const tables = (r.systems ?? []).flatMap((s) =>
    s.tables.map((t) => {
      const method = t.method ?? t.rule;
      return {
        system: s.system,
        table: t.table,
        rule: t.rule,
        method,
        ruleLabel: label(method),
        insteadOf: t.insteadOf ? label(t.insteadOf) : null,
        linkedBy: t.linkedBy ?? [],
        rows: t.rows,
        basis: t.basis ?? null,
        retention: t.retention ?? null,
      };
    }),
  );
  const remains = tables.filter((t) => t.method !== 'delete' && t.rows > 0);
  const totals = r.totals ?? { deleted: 0, anonymised: 0, retained: 0 };
  return {
    ground: groundLabel(r.ground ?? null),
    totals: {
      deleted: totals.deleted,
      anonymised: totals.anonymised,
      pseudonymised: totals.pseudonymised ?? 0,
      retained: totals.retained,
    },
    tables,
    remains,
    /** A method other than deletion was used: the subject is told which, where and why. */
    subjectToBeTold: remains.length > 0,
    residue: (r.residue ?? []).flatMap((s) =>
      s.tables.map((t) => ({
        system: s.system,
        table: t.table,
        rows: t.rows,
        retained: t.retained,
        basis: t.basis ?? null,
      })),
    ),
    manualPending: r.manualPending ?? [],
    backups: r.backups ?? null,
  };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const shown = (v: unknown): string => (v === null ? 'NULL' : typeof v === 'string' ? `“${v}”` : String(v));

/** A registered system and its map as the data systems page shows it (secrets arrive already masked). */
export function systemView(s: {
  key: string;
  name: string;
  kind: string;
  ownerDepartment: string | null;
  ownerUserId: string | null;
  active: boolean;
  version: number;
  definition: Json;
  updatedAt: string;
}) {
  const d = s.definition;
  const pg = obj(d.postgres);
  const http = obj(d.http);
  const manual = obj(d.manual);
  const rawTables = Array.isArray(pg.tables) ? pg.tables : [];
  // Stored definitions are validated: the methods (anonymise vs pseudonymise) come from the joins.
  let methods = new Map<string, { method: ErasureMethod; linkedBy: string[] }>();
  try {
    if (s.kind === 'postgres') methods = erasureMethods({ tables: rawTables as MappedTable[] });
  } catch {
    // A definition of another shape shows its rules as written.
  }
  const tables = rawTables.map((raw) => tableView(raw, methods));
  const seed = Array.isArray(obj(pg.drill).seed)
    ? (obj(pg.drill).seed as unknown[]).map((r) => String(obj(r).table ?? ''))
    : [];
  return {
    key: s.key,
    name: s.name,
    kind: s.kind,
    description: typeof d.description === 'string' ? d.description : null,
    ownerDepartment: s.ownerDepartment,
    ownerUser: typeof obj(d.owner).user === 'string' ? String(obj(d.owner).user) : null,
    active: s.active,
    version: s.version,
    updatedAt: s.updatedAt,
    postgres:
      s.kind === 'postgres' ? { url: typeof pg.url === 'string' ? pg.url : null, tables, drillSeed: seed } : null,
    http:
      s.kind === 'http'
        ? {
            baseUrl: String(http.baseUrl ?? ''),
            exportPath: String(http.exportPath ?? ''),
            erasePath: String(http.erasePath ?? ''),
            seedPath: typeof http.seedPath === 'string' ? http.seedPath : null,
            timeoutMs: http.timeoutMs,
            retries: http.retries,
            token: typeof http.token === 'string' ? http.token : null,
          }
        : null,
    manual: s.kind === 'manual' ? { checklist: strings(manual.checklist) } : null,
  };
}

/** One mapped table of a PostgreSQL system: how rows are found, exported and erased, in words. */
function tableView(raw: unknown, methods: Map<string, { method: ErasureMethod; linkedBy: string[] }>) {
  const t = obj(raw);
  const find = obj(t.find);
  const join = obj(find.join);
  const erase = obj(t.erase);
  const rule = String(erase.rule ?? '');
  return {
    table: String(t.table ?? ''),
    find: find.join
      ? `through ${String(join.column)} → ${String(join.parent)}.${String(join.parentColumn)}`
      : (['email', 'phone', 'nationalId'] as const)
          .filter((k) => find[k])
          .map((k) => `${k}: ${String(find[k])}`)
          .join(', '),
    export: strings(t.export),
    rule,
    ruleLabel: methods.get(String(t.table))?.method ?? rule,
    linkedBy: methods.get(String(t.table))?.linkedBy ?? [],
    anonymise: Object.entries(obj(erase.set)).map(([column, value]) => `${column} → ${shown(value)}`),
    basis: typeof erase.basis === 'string' ? erase.basis : null,
    retention: typeof erase.retention === 'string' ? erase.retention : null,
    rectify: strings(t.rectify),
    restrict: Object.entries(obj(t.restrict)).map(([column, value]) => `${column} = ${shown(value)}`),
    unrestrict: Object.entries(obj(t.unrestrict)).map(([column, value]) => `${column} = ${shown(value)}`),
  };
}

/** A drill in the history: pass/fail, duration, failures, per-system results, evidence. */
export function drillRow(d: {
  id: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  passed: boolean | null;
  evidenceId: string | null;
  /** A DrillReport; read field by field, as drills stored by older versions may lack some. */
  report: object | null;
}) {
  const report = obj(d.report);
  const systems = (Array.isArray(report.systems) ? report.systems : []).map((raw) => {
    const s = obj(raw);
    return {
      system: String(s.system ?? ''),
      status: String(s.status ?? ''),
      seeded: Number(s.seeded ?? 0),
      exported: Number(s.exported ?? 0),
      missing: strings(s.missing),
      residue: Number(s.residue ?? 0),
      retained: (Array.isArray(s.retained) ? s.retained : []).map(
        (x) => `${String(obj(x).table)} (${String(obj(x).rows)})`,
      ),
    };
  });
  return {
    id: d.id,
    trigger: d.trigger,
    startedAt: d.startedAt,
    finished: d.finishedAt !== null,
    result: d.passed === null ? 'running' : d.passed ? 'passed' : 'failed',
    duration: typeof report.durationMs === 'number' ? `${(report.durationMs / 1000).toFixed(1)} s` : null,
    exportComplete: report.exportComplete === true,
    residue: typeof report.residue === 'number' ? report.residue : null,
    withinSla: report.withinSla === true,
    reference: typeof report.reference === 'string' ? report.reference : null,
    failures: strings(report.failures),
    systems,
    evidenceId: d.evidenceId,
  };
}
