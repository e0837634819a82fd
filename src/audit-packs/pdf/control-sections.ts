// The audit-pack PDF's sections on the framework and its controls: scope, applicability, the
// requirement/control matrix and the evidence per control (render-pack-pdf.ts lays out the rest).
import type { PackEvidenceItem } from '../pack-model';
import type { PackLayout } from './layout';
import { formatBytes, formatDate, formatDateTime, owner } from './pack-format';
import type { Column, Row } from './pdf-writer';
import type { SectionContext } from './section-context';

export function scope(ctx: SectionContext): void {
  const { w, model } = ctx;
  for (const p of model.scopeAndMethod) w.paragraph(p);
  const applicable = model.requirements.filter((r) => r.applicable).length;
  const items = model.controls.reduce((n, c) => n + c.evidence.length, 0);
  const files = model.controls.reduce((n, c) => n + c.evidence.reduce((m, e) => m + e.files.length, 0), 0);
  w.subheading('In this pack');
  w.keyValues([
    [
      'Requirements',
      `${model.requirements.length} (${applicable} applicable, ${model.requirements.length - applicable} not applicable)`,
    ],
    ['Controls', String(model.controls.length)],
    ['Evidence items', `${items} with ${files} file${files === 1 ? '' : 's'}`],
    ['Sweep weeks', String(model.sweeps.length)],
    ['Risk registers', String(model.risks.length)],
    ['DSR drills', String(model.drills.length)],
  ]);
}

export function applicability(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  if (model.requirements.length === 0)
    return w.paragraph('The framework has no requirements.', { colour: layout.colours.muted });
  const columns: Column[] = [
    { header: 'Ref', share: 12 },
    { header: 'Requirement', share: 40 },
    { header: 'Applies', share: 10 },
    { header: 'Controls / reason not applicable', share: 38 },
  ];
  const rows: Row[] = model.requirements.map((r) => ({
    cells: [
      { text: r.ref, font: 'bold' },
      r.group ? `${r.title}\n${r.group}` : r.title,
      r.applicable ? { text: 'Yes', colour: layout.colours.good } : { text: 'No', colour: layout.colours.bad },
      r.applicable
        ? r.controls.length > 0
          ? r.controls.join(', ')
          : { text: 'no control implements it', colour: layout.colours.bad }
        : {
            text: r.notApplicableReason ?? 'no reason recorded',
            colour: r.notApplicableReason ? layout.colours.text : layout.colours.bad,
          },
    ],
  }));
  w.table(columns, rows);
}

export function matrix(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  // Before the period's end the status is not the period's: said in plain text, not in the muted notes' colour.
  w.paragraph(
    `Status is freshness ${model.freshnessAsOf.statement}.`,
    model.freshnessAsOf.basis === 'built' ? {} : { colour: layout.colours.muted },
  );
  const controls = new Map(model.controls.map((c) => [c.key, c]));
  const columns: Column[] = [
    { header: 'Requirement', share: 12 },
    { header: 'Control', share: 14 },
    { header: 'Title', share: 30 },
    { header: 'Owner', share: 22 },
    { header: 'Cadence', share: 10 },
    { header: 'Status', share: 12 },
  ];
  const rows: Row[] = [];
  model.requirements
    .filter((r) => r.applicable)
    .forEach((r, group) => {
      if (r.controls.length === 0) {
        rows.push({
          group,
          cells: [
            { text: r.ref, font: 'bold' },
            '—',
            { text: 'no control implements it', colour: layout.colours.bad },
            '',
            '',
            '',
          ],
        });
        return;
      }
      r.controls.forEach((key, n) => {
        const c = controls.get(key);
        rows.push({
          group,
          cells: [
            n === 0 ? { text: r.ref, font: 'bold' } : { text: r.ref, colour: layout.colours.muted },
            key,
            c ? c.title : { text: 'not in this pack', colour: layout.colours.muted },
            c ? owner(c) : '',
            c ? c.cadence : '',
            c ? { text: c.status, colour: statusColour(layout, c.status) } : '',
          ],
        });
      });
    });
  if (rows.length === 0) return w.paragraph('No applicable requirements.', { colour: layout.colours.muted });
  w.table(columns, rows);
}

export function evidence(ctx: SectionContext): void {
  const { w, model, layout } = ctx;
  if (model.controls.length === 0) return w.paragraph('No controls in scope.', { colour: layout.colours.muted });
  const columns: Column[] = [
    { header: 'Evidence', share: 34 },
    { header: 'Kind', share: 12 },
    { header: 'Collected', share: 15 },
    { header: 'Period', share: 19 },
    { header: 'Submitter', share: 20 },
  ];
  for (const control of model.controls) {
    w.subheading(`${control.key} — ${control.title}`, { keepWith: w.lineHeight(layout.sizes.table) * 5 });
    w.paragraph(
      `Owner ${owner(control)} · ${control.cadence} · ${control.status} ${model.freshnessAsOf.basis === 'period_end' ? "at the period's end" : 'when this pack was built'} · requirements ${control.requirements.join(', ') || '—'}`,
      {
        size: layout.sizes.small,
        colour: layout.colours.muted,
        gapAfter: 3,
      },
    );
    if (control.evidence.length === 0) {
      w.paragraph('No evidence in the period.', { colour: layout.colours.bad });
      continue;
    }
    w.table(
      columns,
      control.evidence.flatMap((e, group) => evidenceRows(layout, e, group)),
    );
  }
}

/** One evidence item's rows: the item, then each file with its SHA-256 (kept together, one group). */
function evidenceRows(layout: PackLayout, e: PackEvidenceItem, group: number): Row[] {
  const rows: Row[] = [];
  rows.push({
    group,
    keepWithNext: true,
    cells: [
      { text: e.title, font: 'bold' },
      e.kind,
      formatDateTime(e.collectedAt),
      `${formatDate(e.periodStart)} to ${formatDate(e.periodEnd)}`,
      e.submitter,
    ],
  });
  for (const f of e.files) {
    rows.push({
      group,
      keepWithNext: true,
      cells: [
        {
          text: `file ${f.n}: ${f.filename} · ${formatBytes(f.size)} · ${f.mediaType}`,
          size: layout.sizes.small,
        },
      ],
    });
    rows.push({ group, cells: [{ text: `SHA-256 ${f.sha256}`, font: 'mono', size: layout.sizes.mono }] });
  }
  if (e.files.length === 0)
    rows.push({ group, cells: [{ text: 'no files', size: layout.sizes.small, colour: layout.colours.muted }] });
  return rows;
}

function statusColour(layout: PackLayout, status: string): string {
  if (status === 'fresh') return layout.colours.good;
  if (status === 'stale' || status === 'missing') return layout.colours.bad;
  return layout.colours.text;
}
