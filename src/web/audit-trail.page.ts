import type { Page } from '../common/http/pagination';
import type { VerifyResult } from '../audit-trail/domain/chain-verifier';
import type { AuditLogEntryView } from '../audit-trail/dto/audit-log-entry.dto';
import type { AuditLogQueryDto } from '../audit-trail/dto/audit-log-query.dto';

const FILTERS = ['actor', 'action', 'subjectType', 'subjectId', 'from', 'to'] as const;

export interface AuditTrailPage {
  pageTitle: string;
  filter: Record<(typeof FILTERS)[number], string>;
  entries: {
    seq: number;
    at: string;
    actor: string;
    action: string;
    subject: string;
    data: string;
    hash: string;
    shortHash: string;
  }[];
  total: number;
  shownFrom: number;
  shownTo: number;
  previous: string | null;
  next: string | null;
  verify: { ok: boolean; headline: string; detail: string };
}

/** View model of the audit-trail page: filter form, one page of entries, paging links and the verify result. */
export function auditTrailPage(
  query: AuditLogQueryDto,
  list: Page<AuditLogEntryView>,
  verify: VerifyResult,
): AuditTrailPage {
  const filter = Object.fromEntries(FILTERS.map((f) => [f, query[f] ?? ''])) as AuditTrailPage['filter'];
  const link = (offset: number) => {
    const params = new URLSearchParams();
    for (const f of FILTERS) if (filter[f]) params.set(f, filter[f]);
    if (list.limit !== 50) params.set('limit', String(list.limit));
    params.set('offset', String(offset));
    return `?${params.toString()}`;
  };
  return {
    pageTitle: 'Audit trail',
    filter,
    entries: list.items.map((e) => ({
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      action: e.action,
      subject: e.subjectId ? `${e.subjectType} ${e.subjectId}` : e.subjectType,
      data: e.data === null ? '(unreadable)' : Object.keys(e.data).length === 0 ? '' : JSON.stringify(e.data),
      hash: e.hash,
      shortHash: e.hash.slice(0, 12),
    })),
    total: list.total,
    shownFrom: list.items.length === 0 ? 0 : list.offset + 1,
    shownTo: list.offset + list.items.length,
    previous: list.offset > 0 ? link(Math.max(0, list.offset - list.limit)) : null,
    next: list.offset + list.items.length < list.total ? link(list.offset + list.limit) : null,
    verify: verify.ok
      ? {
          ok: true,
          headline: 'Chain intact',
          detail: `${verify.entries} entries verified against ${verify.checkpoints} signed checkpoint${verify.checkpoints === 1 ? '' : 's'}.`,
        }
      : {
          ok: false,
          headline: `Broken at entry ${verify.brokenAtSeq}`,
          detail: `Entry ${verify.brokenAtSeq}: ${verify.reason}.`,
        },
  };
}
