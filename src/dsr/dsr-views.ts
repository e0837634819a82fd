// The answers the DSR services give: built from rows only (identity is added by DsrAccess, which holds the keys).
import { clocks, RIGHT_SECTION, type ClockInput, type DsrRight } from './domain/dsr-clocks';
import type { DsrGround } from './domain/dsr-grounds';
import type { DsrStatus } from './domain/dsr-model';
import type { DsrAction } from './dsr-action.entity';
import type { DsrRequest } from './dsr-request.entity';
import type { DsrDrill, DsrLegalHold } from './dsr-support.entity';
import type { DrillView, DsrActionView, DsrRequestView } from './dto/dsr.dto';

export function clockInput(r: DsrRequest): ClockInput {
  return {
    right: r.right,
    dueAt: r.dueAt,
    statutoryDueAt: r.statutoryDueAt,
    receivedAt: r.receivedAt,
    verifiedAt: r.verifiedAt,
    closedAt: r.closedAt,
    separatedAt: r.separatedAt,
  };
}

export function actionView(a: DsrAction): DsrActionView {
  return {
    id: a.id,
    systemKey: a.systemKey,
    kind: a.kind,
    status: a.status,
    summary: a.summary,
    error: a.error,
    attempts: a.attempts,
    checklist: a.checklist,
    outcomeNote: a.outcomeNote,
    finishedAt: a.finishedAt?.toISOString() ?? null,
  };
}

/** A request as everyone allowed to read it sees it: no subject identity. */
export function requestView(row: DsrRequest, actions: DsrAction[], holds: DsrLegalHold[], now: Date): DsrRequestView {
  return {
    id: row.id,
    reference: row.reference,
    right: row.right as DsrRight,
    ground: (row.ground as DsrGround | null) ?? null,
    section: RIGHT_SECTION[row.right as DsrRight],
    channel: row.channel,
    status: row.status as DsrStatus,
    receivedAt: row.receivedAt.toISOString(),
    isRepresentative: row.isRepresentative,
    isDrill: row.isDrill,
    clocks: clocks(clockInput(row), now),
    verifiedAt: row.verifiedAt?.toISOString() ?? null,
    separatedAt: row.separatedAt?.toISOString() ?? null,
    verificationMethod: row.verificationMethod,
    rejectionReason: row.rejectionReason,
    closingNote: row.closingNote,
    closedAt: row.closedAt?.toISOString() ?? null,
    lastError: row.lastError,
    erasureScheduledFor: row.erasureScheduledFor?.toISOString() ?? null,
    erasedAt: row.erasedAt?.toISOString() ?? null,
    backupsExpireAt: row.backupsExpireAt?.toISOString() ?? null,
    exportedAt: row.exportedAt?.toISOString() ?? null,
    exportAvailable: row.exportChunks !== null,
    exportSha256: row.exportSha256,
    exportBytes: row.exportBytes,
    receipt: row.receipt,
    receiptEvidenceId: row.receiptEvidenceId,
    legalHolds: holds.map((h) => ({
      id: h.id,
      reason: h.reason,
      placedAt: h.placedAt.toISOString(),
      releasedAt: h.releasedAt?.toISOString() ?? null,
    })),
    actions: actions.map(actionView),
    version: row.version,
  };
}

/** A connector's error for the request's last error and the step (long answers cut at 500 characters). */
export function errorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}

export function drillView(row: DsrDrill): DrillView {
  return {
    id: row.id,
    trigger: row.trigger,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    passed: row.passed,
    evidenceId: row.evidenceId,
    report: row.report,
  };
}
