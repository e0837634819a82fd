// The audit-pack PDF's sections on how the controls were operated: weekly sweeps, exceptions, risk registers
// with their heat maps, DSR drills and clocks, and the audit trail (render-pack-pdf.ts lays out the rest).
import type { PackRiskSummary } from '../pack-model';
import { formatCounts, formatDateTime, formatDuration, objectionsLine } from './pack-format';
import type { Column, Row } from './pdf-writer';
import type { SectionContext } from './section-context';

export function sweeps(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  if (model.sweeps.length === 0) return w.paragraph('No sweeps in the period.', { colour: layout.colours.muted });
  const columns: Column[] = [
    { header: 'Week', share: 16 },
    { header: 'Tasks', share: 12, align: 'right' },
    { header: 'Completed', share: 14, align: 'right' },
    { header: 'Completion', share: 16, align: 'right' },
    { header: 'Late', share: 12, align: 'right' },
    { header: 'Exceptions', share: 14, align: 'right' },
  ];
  const rows: Row[] = model.sweeps.map((s) => {
    const pct = s.tasks === 0 ? null : (s.completed / s.tasks) * 100;
    return {
      cells: [
        s.week,
        String(s.tasks),
        String(s.completed),
        pct === null
          ? '—'
          : {
              text: `${pct.toFixed(pct === 100 ? 0 : 1)}%`,
              colour: pct >= 100 ? layout.colours.good : pct < 80 ? layout.colours.bad : layout.colours.text,
            },
        s.late > 0 ? { text: String(s.late), colour: layout.colours.bad } : '0',
        String(s.exceptions),
      ],
    };
  });
  const totals = model.sweeps.reduce(
    (t, s) => ({
      tasks: t.tasks + s.tasks,
      completed: t.completed + s.completed,
      late: t.late + s.late,
      exceptions: t.exceptions + s.exceptions,
    }),
    { tasks: 0, completed: 0, late: 0, exceptions: 0 },
  );
  rows.push({
    cells: [
      { text: 'All weeks', font: 'bold' },
      { text: String(totals.tasks), font: 'bold' },
      { text: String(totals.completed), font: 'bold' },
      { text: totals.tasks === 0 ? '—' : `${((totals.completed / totals.tasks) * 100).toFixed(1)}%`, font: 'bold' },
      { text: String(totals.late), font: 'bold' },
      { text: String(totals.exceptions), font: 'bold' },
    ],
  });
  w.table(columns, rows);
}

export function exceptions(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  if (model.exceptions.length === 0)
    return w.paragraph('No exceptions, late or missed items in the period.', { colour: layout.colours.muted });
  const columns: Column[] = [
    { header: 'Week', share: 14 },
    { header: 'Control', share: 18 },
    { header: 'Kind', share: 12 },
    { header: 'Note', share: 56 },
  ];
  w.table(
    columns,
    model.exceptions.map((e) => ({
      cells: [
        e.week,
        e.control,
        { text: e.kind, colour: e.kind === 'exception' ? layout.colours.text : layout.colours.bad },
        e.note ?? { text: 'no note', colour: layout.colours.muted },
      ],
    })),
  );
}

export function risks(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  if (model.risks.length === 0) return w.paragraph('No risk registers.', { colour: layout.colours.muted });
  for (const r of model.risks) {
    w.subheading(r.register);
    w.keyValues([
      ['Risks', String(r.total)],
      ['By status', formatCounts(r.byStatus)],
      ['By residual level', formatCounts(r.byResidualLevel)],
      [
        'Last review',
        r.lastReview
          ? `${formatDateTime(r.lastReview.reviewedAt)} by ${r.lastReview.reviewer}${r.lastReview.notes ? `: ${r.lastReview.notes}` : ''}`
          : { text: 'no review recorded', colour: layout.colours.bad },
      ],
    ]);
    if (r.heatmap) heatmaps(ctx, r);
  }
}

function heatmaps(ctx: SectionContext, r: PackRiskSummary): void {
  const { w, layout } = ctx;
  const hm = r.heatmap!;
  const rows = hm.probabilities.map((_, i) => hm.probabilities.length - 1 - i); // most probable on top
  const gap = 18;
  const width = (w.width - gap) / 2;
  const estimate = w.lineHeight(layout.sizes.body) + rows.length * 26 + w.lineHeight(layout.sizes.small) * 5 + 8;
  w.ensure(estimate);
  const top = w.y;
  let height = 0;
  (['before', 'after'] as const).forEach((which, k) => {
    height = Math.max(
      height,
      w.heatmapGrid(w.left + k * (width + gap), top, width, {
        caption: which === 'before' ? 'Before controls' : 'After controls',
        rows: rows.map((p) => hm.probabilities[p]),
        columns: hm.severities,
        counts: (row, column) => hm[which][column]?.[rows[row]] ?? 0,
        level: (row, column) => hm.levels[column]?.[rows[row]] ?? '',
      }),
    );
  });
  w.y = top + height + 4;
  const legend = Object.keys(layout.colours.levels);
  let x = w.left;
  for (const level of legend) {
    ctx.doc.rect(x, w.y + 2, 9, 9).fill(layout.colours.levels[level]);
    w.drawLine(level, x + 12, w.y, w.style({ size: layout.sizes.small, colour: layout.colours.muted }));
    x += 12 + w.measure('regular', layout.sizes.small)(level) + 14;
  }
  w.y += w.lineHeight(layout.sizes.small) + 10;
}

export function dsr(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  w.subheading('Export/erasure drills');
  if (model.drills.length === 0) w.paragraph('No drills ran in the period.', { colour: layout.colours.muted });
  else
    w.table(
      [
        { header: 'Started', share: 20 },
        { header: 'Result', share: 10 },
        { header: 'Duration', share: 12, align: 'right' },
        { header: 'Residue', share: 10, align: 'right' },
        { header: 'Export complete', share: 13 },
        { header: 'Failures', share: 35 },
      ],
      model.drills.map((d) => ({
        cells: [
          formatDateTime(d.startedAt),
          d.passed ? { text: 'passed', colour: layout.colours.good } : { text: 'failed', colour: layout.colours.bad },
          formatDuration(d.durationMs),
          d.residue > 0 ? { text: String(d.residue), colour: layout.colours.bad } : '0',
          d.exportComplete ? 'yes' : { text: 'no', colour: layout.colours.bad },
          d.failures.length > 0 ? d.failures.join('\n') : '—',
        ],
      })),
    );
  w.subheading('Request clocks');
  const s = model.dsr;
  if (!s) return w.paragraph('No DSR statistics for this pack.', { colour: layout.colours.muted });
  const pct = (met: number, missed: number) =>
    met + missed === 0 ? '—' : `${((met / (met + missed)) * 100).toFixed(1)}%`;
  w.keyValues([
    ['Received', String(s.received)],
    ['Closed', String(s.closed)],
    ['Open at the end of the period', String(s.open)],
    [
      'Within the internal SLA',
      `${s.metInternal} met, ${s.missedInternal} missed (${pct(s.metInternal, s.missedInternal)})`,
    ],
    [
      'Within the statutory deadline',
      s.missedStatutory > 0
        ? {
            text: `${s.metStatutory} met, ${s.missedStatutory} missed (${pct(s.metStatutory, s.missedStatutory)})`,
            colour: layout.colours.bad,
          }
        : `${s.metStatutory} met, 0 missed (${pct(s.metStatutory, 0)})`,
    ],
    ['Objections (PDPA s. 32 para 2)', objectionsLine(s.objections)],
    ['By right', formatCounts(s.byRight)],
  ]);
  w.paragraph(
    'An objection has no day count: its statutory clock is the time from receipt to the data being separated in every system, met once separation is applied (never measured to the request closing). Access is measured against 30 days (s. 30 para 4), erasure against 90 days including backups (PDPC erasure notification 2024).',
    { colour: layout.colours.muted },
  );
}

export function auditTrail(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  const t = model.auditTrail;
  const mono = { font: 'mono' as const, size: layout.sizes.mono + 1 };
  w.keyValues([
    ['Head entry', String(t.headSeq)],
    ['Head hash', { text: t.headHash, ...mono }],
    [
      'Chain verified',
      t.verified
        ? { text: 'yes: every entry links to the one before and matches its hash', colour: layout.colours.good }
        : { text: 'NO: the chain does not verify', colour: layout.colours.bad },
    ],
  ]);
  w.subheading('Last signed checkpoint');
  if (!t.lastCheckpoint) return w.paragraph('No signed checkpoint yet.', { colour: layout.colours.bad });
  w.keyValues([
    ['Entry', String(t.lastCheckpoint.seq)],
    ['Hash', { text: t.lastCheckpoint.hash, ...mono }],
    ['Signed at', formatDateTime(t.lastCheckpoint.at)],
    ['Key fingerprint', { text: t.lastCheckpoint.keyFingerprint, ...mono }],
  ]);
}
