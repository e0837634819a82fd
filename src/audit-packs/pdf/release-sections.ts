// The audit-pack PDF's releases section and security-operations section (issue 18): counts first, then the
// tables they are counted from — releases, their gates, the hashes the signatures bind and the accepted
// exceptions a gate relied on; the findings register and the keys register (never a secret's value) — so
// an auditor can check every number against the rows.
import { keyWords } from '../../incidents/domain/incident-labels';
import type { PackAcceptance, PackFindings, PackKeys, PackRelease, PackReleaseGate, PackReleases } from '../pack-model';
import { RELEASES_NAME, SECURITY_REGISTERS_NAME } from '../pack-releases';
import { formatCounts, formatDate, formatDateTime } from './pack-format';
import type { Cell } from './pdf-writer';
import type { SectionContext } from './section-context';

export function releasesNote(s: PackReleases): string {
  return (
    `Releases built in the period (whole days in the compliance time zone), each with its gates and decision ` +
    `stated ${s.asOf.statement}: a file attached or a signature given after then is not counted, and a ` +
    `signature counts when it binds the release record (its commit, build time, anomalies and attachments' ` +
    `SHA-256) as it was then. A dependency finding is passed over when the findings register held a signed ` +
    `risk acceptance for it then; those exceptions are listed. Gates come from controls/release-gates.yaml. ` +
    `Each count below is a count of the rows of the tables that follow. The same data is ${RELEASES_NAME} in the ZIP.`
  );
}

/** "approved", or "not approved: qa, sbom_present", or why there is no decision. */
export function decisionText(r: PackRelease): string {
  if (r.approved === null) return 'no decision: the product is no longer in release-gates.yaml';
  return r.approved ? 'approved' : `not approved: ${r.missing.join(', ')}`;
}

/** A gate's state: the signature that passed it, or why it is not passed. */
export function gateText(g: PackReleaseGate): string {
  if (g.signature) {
    const s = g.signature;
    const capacity = [keyWords(s.role), s.department].filter(Boolean).join(', ');
    return `signed by ${s.signer} (${capacity}) ${formatDateTime(s.signedAt)}: "${g.meaning ?? ''}"`;
  }
  return g.passed ? 'passed' : `not passed: ${g.reason ?? 'not passed'}`;
}

export function acceptanceText(a: PackAcceptance | null): string {
  if (!a) return 'no acceptance recorded by then';
  return `${a.signer} (${keyWords(a.role)}) ${formatDateTime(a.signedAt)}, until ${formatDate(a.expiresOn)}${a.holds ? '' : ' (expired by then)'}: ${a.reason}`;
}

export function releases(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  const s = model.releases;
  const muted = { colour: layout.colours.muted };
  if (!s)
    return w.paragraph(
      `Releases are not part of a ${model.framework.key} pack (they are for SOC 2, SaMD and ISO 14971).`,
      muted,
    );
  w.paragraph(releasesNote(s), muted);
  if (s.releases.length === 0) return w.paragraph('No releases: no release was built in the period.', { font: 'bold' });
  const c = s.counts;
  const bad = (text: string, isBad: boolean): Cell => (isBad ? { text, colour: layout.colours.bad } : text);
  const undecided = c.releases - c.approved - c.notApproved;
  w.keyValues([
    ['Releases', String(c.releases)],
    [
      'Decision',
      bad(`${c.approved} approved, ${c.notApproved} not approved, ${undecided} without gates`, c.notApproved > 0),
    ],
    ['Gates', bad(`${c.gatesPassed} passed, ${c.gatesNotPassed} not passed`, c.gatesNotPassed > 0)],
    ['Signatures', String(c.signatures)],
    ['Accepted exceptions relied on', String(c.exceptions)],
  ]);
  w.subheading('Releases built in the period');
  w.table(
    [
      { header: 'Release', share: 22 },
      { header: 'Product', share: 15 },
      { header: 'Commit', share: 19, font: 'mono' },
      { header: 'Built at', share: 14 },
      { header: 'Decision', share: 30 },
    ],
    s.releases.map((r) => ({
      cells: [r.ref, r.productName, r.commit, formatDateTime(r.builtAt), bad(decisionText(r), r.approved === false)],
    })),
  );
  gateTable(ctx, s);
  hashTable(ctx, s);
  exceptionTable(ctx, s);
}

function gateTable(ctx: SectionContext, s: PackReleases): void {
  const { w, layout } = ctx;
  w.subheading('Gates');
  w.table(
    [
      { header: 'Release', share: 20 },
      { header: 'Gate', share: 22 },
      { header: 'Kind', share: 10 },
      { header: 'State', share: 48 },
    ],
    s.releases.flatMap((r, group) =>
      r.gates.length === 0
        ? [{ group, cells: [r.ref, '—', '—', { text: 'no gates configured', colour: layout.colours.muted }] }]
        : r.gates.map((g) => ({
            group,
            cells: [
              r.ref,
              g.name,
              g.kind,
              g.passed ? gateText(g) : { text: gateText(g), colour: layout.colours.bad },
            ] as Cell[],
          })),
    ),
  );
}

function hashTable(ctx: SectionContext, s: PackReleases): void {
  const { w } = ctx;
  w.subheading('Release records and the hashes signed (SHA-256)');
  w.table(
    [
      { header: 'Release / gate', share: 26 },
      { header: 'SHA-256', share: 74, font: 'mono' },
    ],
    s.releases.flatMap((r, group) => [
      { group, cells: [`${r.ref} record`, r.releaseSha256] },
      ...r.gates.flatMap((g) =>
        g.signature
          ? [
              { group, cells: [`${r.ref} ${g.key} signature`, g.signature.recordSha256] },
              ...(g.signature.reportSha256
                ? [{ group, cells: [`${r.ref} ${g.key} report`, g.signature.reportSha256] }]
                : []),
            ]
          : [],
      ),
    ]),
  );
}

function exceptionTable(ctx: SectionContext, s: PackReleases): void {
  const { w, layout } = ctx;
  w.subheading('Accepted exceptions relied on by a gate');
  if (s.exceptions.length === 0)
    return w.paragraph('No gate relied on an accepted exception.', { colour: layout.colours.muted });
  w.table(
    [
      { header: 'Release', share: 18 },
      { header: 'Finding', share: 26 },
      { header: 'Severity', share: 9 },
      { header: 'Acceptance', share: 47 },
    ],
    s.exceptions.map((e) => ({
      cells: [e.release, `${e.title} (${e.fingerprint})`, e.severity, acceptanceText(e.acceptance)],
    })),
  );
}

export function securityNote(model: SectionContext['model']): string {
  const asOf = (model.findings ?? model.keys)!.asOf;
  return (
    `The security-operations registers stated ${asOf.statement}. Findings: every finding open at some time of ` +
    `the period (opened by then and not closed before the period began), with its status, fix deadline ` +
    `(controls/release-gates.yaml findingSlaDays) and risk acceptance then; a fix, retest or acceptance ` +
    `recorded later is not counted. Keys: every key registered by then with its last rotation recorded by then ` +
    `and its rotation clock then; never a secret's value. Each count below is a count of the rows of the ` +
    `tables that follow. The same data is ${SECURITY_REGISTERS_NAME} in the ZIP.`
  );
}

export function security(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  if (!model.findings && !model.keys)
    return w.paragraph(
      `The security-operations registers are not part of a ${model.framework.key} pack (findings are for SOC 2, SaMD and ISO 14971; keys for SOC 2).`,
      { colour: layout.colours.muted },
    );
  w.paragraph(securityNote(model), { colour: layout.colours.muted });
  if (model.findings) findingsPart(ctx, model.findings);
  if (model.keys) keysPart(ctx, model.keys);
}

/** A finding's fix-deadline state in the table's words (the same words as the counts). */
export const SLA_WORDS: Record<PackFindings['findings'][number]['sla'], string> = {
  closed_in_time: 'closed in time',
  closed_late: 'closed late',
  overdue: 'overdue',
  running: 'running',
  excepted: 'accepted as risk',
};

export function slaLine(c: PackFindings['counts']['sla']): string {
  return (['closed_in_time', 'closed_late', 'overdue', 'running', 'excepted'] as const)
    .map((k) => `${c[k]} ${SLA_WORDS[k]}`)
    .join(', ');
}

/** Counts keyed by a status or source key, in words. */
function countsInWords(counts: Record<string, number>): string {
  return formatCounts(Object.fromEntries(Object.entries(counts).map(([k, n]) => [keyWords(k), n])));
}

function findingsPart(ctx: SectionContext, s: PackFindings): void {
  const { w, layout } = ctx;
  const bad = (text: string, isBad: boolean): Cell => (isBad ? { text, colour: layout.colours.bad } : text);
  const c = s.counts;
  w.subheading('Findings register');
  if (s.findings.length === 0)
    return w.paragraph('No findings: no finding was open during the period.', { font: 'bold' });
  w.keyValues([
    ['Findings', String(c.findings)],
    ['Opened in the period', String(c.openedInPeriod)],
    ['Closed in the period', String(c.closedInPeriod)],
    ['By severity', formatCounts(c.bySeverity)],
    ['By status', countsInWords(c.byStatus)],
    ['Fix deadlines', bad(slaLine(c.sla), c.sla.overdue + c.sla.closed_late > 0)],
    ['Risk acceptances', `${c.acceptances} recorded, ${c.acceptancesHolding} holding`],
  ]);
  w.table(
    [
      { header: 'Ref', share: 13 },
      { header: 'Finding', share: 19 },
      { header: 'Source', share: 13 },
      { header: 'Severity', share: 9 },
      { header: 'Opened', share: 11 },
      { header: 'Due', share: 11 },
      { header: 'Status', share: 13 },
      { header: 'Fix deadline', share: 11 },
    ],
    s.findings.map((f) => ({
      cells: [
        f.ref,
        `${f.title} (${f.product})`,
        keyWords(f.source),
        f.severity,
        formatDateTime(f.openedAt),
        formatDateTime(f.dueAt),
        f.closedAt ? `${keyWords(f.status)} ${formatDateTime(f.closedAt)}` : keyWords(f.status),
        bad(SLA_WORDS[f.sla], f.sla === 'overdue' || f.sla === 'closed_late'),
      ],
    })),
  );
  const accepted = s.findings.filter((f) => f.acceptance);
  if (accepted.length === 0) return;
  w.subheading('Risk acceptances (exceptions) recorded by then');
  w.table(
    [
      { header: 'Ref', share: 13 },
      { header: 'Acceptance', share: 52 },
      { header: 'Record SHA-256', share: 35, font: 'mono' },
    ],
    accepted.map((f) => ({ cells: [f.ref, acceptanceText(f.acceptance), f.acceptance!.recordSha256] })),
  );
}

function keysPart(ctx: SectionContext, s: PackKeys): void {
  const { w, layout } = ctx;
  const c = s.counts;
  w.subheading('Keys and credentials register');
  if (s.keys.length === 0) return w.paragraph('No keys: no key was registered by then.', { font: 'bold' });
  w.keyValues([
    ['Keys', String(c.keys)],
    [
      'Rotation clocks',
      c.overdue
        ? { text: `${c.ok} ok, ${c.dueSoon} due soon, ${c.overdue} overdue`, colour: layout.colours.bad }
        : `${c.ok} ok, ${c.dueSoon} due soon, ${c.overdue} overdue`,
    ],
    ['Rotations in the period', String(c.rotationsInPeriod)],
  ]);
  w.table(
    [
      { header: 'Key', share: 22 },
      { header: 'System', share: 13 },
      { header: 'Kind', share: 8 },
      { header: 'Owner', share: 13 },
      { header: 'Every', share: 6 },
      { header: 'Last rotation', share: 11 },
      { header: 'Due', share: 11 },
      { header: 'State', share: 8 },
      { header: 'Rotations', share: 8 },
    ],
    s.keys.map((k) => ({
      cells: [
        k.name,
        k.system,
        keyWords(k.kind),
        `${k.owner} (${k.department})`,
        `${k.intervalDays} d`,
        k.lastRotatedAt ? formatDateTime(k.lastRotatedAt) : 'never',
        formatDateTime(k.dueAt),
        k.state === 'overdue' ? { text: k.state, colour: layout.colours.bad } : keyWords(k.state),
        `${k.rotationsInPeriod}×`,
      ],
    })),
  );
}
