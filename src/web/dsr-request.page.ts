// View model of one DSR's page: its clocks, identity (for those who may read it), timeline, steps, holds,
// receipt, the one-time export link, and which actions the buttons offer. A pure function of the
// service's view, what the ability allows, the configured periods and the time now.
import { VERIFICATION_METHODS } from '../dsr/domain/dsr-model';
import type { DsrRequestView, ExportLinkView } from '../dsr/dto/dsr.dto';
import {
  actionRow,
  clockCell,
  describeDuration,
  groundLabel,
  METHOD_LABEL,
  receiptView,
  RIGHT_LABEL,
  timeline,
} from './dsr.page';

const OPEN = ['received', 'verified', 'in_progress'];

/** Rights whose execution is one step the page can (re)run: an objection's separation also runs by itself. */
const EXECUTED_RIGHTS = ['rectification', 'restriction', 'objection', 'withdraw_consent'];

export interface DsrRequestPageInput {
  request: DsrRequestView;
  /** The export's one-time link, when this page shows the result of an export form. */
  link: ExportLinkView | null;
  /** This page shows a form's result (`?result=`): a missing link then means it has expired. */
  shownResult: boolean;
  canUpdate: boolean;
  graceDays: number;
  backupRetentionDays: number;
  formKey: string;
  now: Date;
}

export function dsrRequestPage(input: DsrRequestPageInput) {
  const { request: r, link, canUpdate } = input;
  const open = OPEN.includes(r.status);
  const executable = canUpdate && open && r.status !== 'received';
  const erasurePending = r.erasureScheduledFor !== null && r.erasedAt === null;
  return {
    pageTitle: `${r.reference} ${RIGHT_LABEL[r.right] ?? r.right}`,
    request: r,
    rightLabel: RIGHT_LABEL[r.right] ?? r.right,
    groundLabel: groundLabel(r.ground),
    formKey: input.formKey,
    statusLabel: r.status.replace(/_/g, ' '),
    open,
    internal: clockCell(r.clocks.internal),
    statutory: clockCell(r.clocks.statutory),
    identityWait: describeDuration(r.clocks.identityWaitMs),
    identity: r.subject
      ? {
          subject: r.subject,
          requester: r.requester ?? null,
          changes: r.changes ? Object.entries(r.changes).map(([column, value]) => ({ column, value })) : [],
          verificationReference: r.verificationReference ?? null,
        }
      : null,
    verificationMethodLabel: r.verificationMethod ? (METHOD_LABEL[r.verificationMethod] ?? r.verificationMethod) : null,
    timeline: timeline(r),
    actions: r.actions.map(actionRow),
    holds: r.legalHolds.map((h) => ({ ...h, active: !h.releasedAt })),
    activeHolds: r.legalHolds.filter((h) => !h.releasedAt).length,
    receipt: receiptView(r.receipt),
    link,
    /** A result page whose link has expired (or could not be opened): say so instead of running anything. */
    linkGone: input.shownResult && link === null,
    erasurePending,
    can: {
      verify: canUpdate && r.status === 'received',
      methods: VERIFICATION_METHODS.filter((m) => m !== 'synthetic').map((m) => ({ key: m, label: METHOD_LABEL[m] })),
      export: executable,
      newLink: canUpdate && r.exportAvailable && r.subject !== undefined,
      erase: executable && r.right === 'erasure' && !r.erasedAt && !erasurePending,
      cancelErasure: canUpdate && open && erasurePending,
      resumeErasure: executable && erasurePending && new Date(r.erasureScheduledFor!).getTime() <= input.now.getTime(),
      // An objection's separation runs by itself (on arrival or at verification): the button retries it.
      execute: executable && EXECUTED_RIGHTS.includes(r.right),
      hold: canUpdate && open,
      reject: canUpdate && open,
      complete: executable,
    },
    graceDays: input.graceDays,
    backupRetentionDays: input.backupRetentionDays,
  };
}
