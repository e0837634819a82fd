// The audit-pack PDF: lays out a PackModel with pdfkit following templates/pdf/audit-pack.yaml. No Nest, no
// database: the builder collects the model, this turns it into bytes (unsigned; signing/ signs them).
import PDFDocument from 'pdfkit';
import type { PackControl, PackModel, PackRiskSummary } from '../pack-model';
import { loadLayout, PackLayout, SectionId } from './layout';
import { Column, PdfWriter, Row } from './pdf-writer';
import { cleanText, fillPlaceholders } from './text';
import { dayOf } from '../../common/time/days';
import { wallClock, zoneLabel } from '../../common/time/zone';

export interface PackAttachment {
  /** File name shown by PDF readers and `pdfdetach -list`, e.g. manifest.json. */
  name: string;
  data: Buffer;
  description?: string;
  /** e.g. application/json */
  mediaType?: string;
}

export interface RenderPackPdfOptions {
  /** The templates folder (config.templatesDir): the layout is `<templatesDir>/pdf/audit-pack.yaml`. */
  templatesDir: string;
  /** Files embedded in the PDF (covered by its signature), e.g. manifest.json. */
  attachments?: PackAttachment[];
}

/**
 * Renders the pack PDF (unsigned). Two passes over the same deterministic layout: the first (output dropped)
 * learns the page count and where each section starts; the second writes "Page x of y", the running headers
 * and the contents as it goes. So no page is held back in memory (no bufferPages): the renderer's memory
 * stays flat however many evidence items the pack lists.
 */
export async function renderPackPdf(model: PackModel, options: RenderPackPdfOptions): Promise<Buffer> {
  const layout = loadLayout(options.templatesDir);
  const generatedAt = parseDate(model.generatedAt) ?? new Date();
  const plan = (await renderPass(model, layout, generatedAt, null, [])).plan;
  const final = await renderPass(model, layout, generatedAt, plan, options.attachments ?? []);
  if (final.plan.pages !== plan.pages)
    throw new Error(`the pack layout is not deterministic (${plan.pages} pages, then ${final.plan.pages})`);
  return final.pdf;
}

/** What the first pass learns: the number of pages and each section's first page (0-based). */
interface LayoutPlan {
  pages: number;
  sectionPages: Map<SectionId, number>;
}

async function renderPass(
  model: PackModel,
  layout: PackLayout,
  generatedAt: Date,
  plan: LayoutPlan | null,
  attachments: PackAttachment[],
): Promise<{ pdf: Buffer; plan: LayoutPlan }> {
  const doc = new PDFDocument({
    size: layout.page.size as string | number[],
    margins: layout.page.margins,
    autoFirstPage: true,
    compress: plan !== null, // the first pass is thrown away: skip compressing it
    displayTitle: true,
    lang: 'en',
    info: {
      Title: oneLine(`${layout.cover.title}: ${frameworkLabel(model)}, ${model.period.from} to ${model.period.to}`),
      Author: oneLine(model.organisation),
      Subject: oneLine(`${frameworkLabel(model)} audit pack`),
      Creator: oneLine(`${model.generator.name} ${model.generator.version}`),
      Producer: 'Attest (pdfkit)',
      CreationDate: generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => {
      if (plan) chunks.push(c);
    });
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  let learned: LayoutPlan;
  try {
    doc.registerFont('regular', layout.fontFiles.regular);
    doc.registerFont('bold', layout.fontFiles.bold);
    doc.registerFont('mono', layout.fontFiles.mono);
    seedGlyphText(doc, ['regular', 'bold']);
    learned = new PackRenderer(doc, layout, model, generatedAt, plan).render();
    for (const a of attachments) {
      doc.file(a.data, {
        name: attachmentName(a.name),
        type: a.mediaType ?? 'application/octet-stream',
        description: a.description === undefined ? undefined : oneLine(a.description),
        creationDate: generatedAt,
        modifiedDate: generatedAt,
      });
    }
    doc.end();
  } catch (e) {
    doc.end();
    await done.catch(() => undefined);
    throw e;
  }
  return { pdf: await done, plan: learned };
}

class PackRenderer {
  private readonly w: PdfWriter;
  private readonly placeholders: Record<string, string>;
  private readonly sectionPages = new Map<SectionId, number>();

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly layout: PackLayout,
    private readonly model: PackModel,
    generatedAt: Date,
    /** Null in the first pass; then the page count and section pages for headers, footers and contents. */
    private readonly plan: LayoutPlan | null,
  ) {
    this.w = new PdfWriter(doc, layout, (index) => this.runningHeaderAndFooter(index));
    this.placeholders = {
      organisation: cleanText(model.organisation),
      framework: frameworkLabel(model),
      frameworkKey: cleanText(model.framework.key),
      from: cleanText(model.period.from),
      to: cleanText(model.period.to),
      generatedAt: formatDateTime(generatedAt),
      generator: cleanText(`${model.generator.name} ${model.generator.version}`),
    };
  }

  render(): LayoutPlan {
    this.cover();
    this.contents();
    for (const section of this.layout.sections) {
      if (section.id === 'contents') continue;
      if (section.newPage || this.w.pageIndex === 0) this.w.newPage();
      else this.w.y += this.layout.sizes.heading;
      this.w.ensure(this.w.lineHeight(this.layout.sizes.heading) * 4);
      this.sectionPages.set(section.id, this.w.pageIndex);
      if (this.plan) {
        this.doc.addNamedDestination(`section-${section.id}`, 'XYZ', null, this.w.y, null);
        this.doc.outline.addItem(section.title);
      }
      this.w.heading(section.title);
      if (section.intro) this.w.paragraph(section.intro, { colour: this.layout.colours.muted });
      this.section(section.id);
    }
    return { pages: this.w.pageIndex + 1, sectionPages: this.sectionPages };
  }

  private section(id: SectionId): void {
    switch (id) {
      case 'scope':
        return this.scope();
      case 'applicability':
        return this.applicability();
      case 'matrix':
        return this.matrix();
      case 'evidence':
        return this.evidence();
      case 'sweeps':
        return this.sweeps();
      case 'exceptions':
        return this.exceptions();
      case 'risks':
        return this.risks();
      case 'dsr':
        return this.dsr();
      case 'audit-trail':
        return this.auditTrail();
      case 'contents':
        return;
    }
  }

  // ---- cover ----

  private cover(): void {
    const { w, layout, model } = this;
    const { colours, sizes } = layout;
    w.y = w.top + 90;
    w.paragraph(fillPlaceholders(layout.cover.title, this.placeholders), {
      font: 'bold',
      size: sizes.title,
      colour: colours.accent,
      gapAfter: 4,
    });
    if (layout.cover.subtitle)
      w.paragraph(fillPlaceholders(layout.cover.subtitle, this.placeholders), {
        font: 'bold',
        size: sizes.heading,
        gapAfter: 24,
      });
    this.doc.moveTo(w.left, w.y).lineTo(w.right, w.y).lineWidth(1.5).strokeColor(colours.accent).stroke();
    w.y += 18;
    w.keyValues([
      ['Organisation', model.organisation],
      ['Framework', frameworkLabel(model)],
      ['Framework key', model.framework.key],
      ['Audit period', `${model.period.from} to ${model.period.to}`],
      ['Generated at', this.placeholders.generatedAt],
      ['Generated by', this.placeholders.generator],
    ]);
    w.y += 10;
    w.subheading('Signer');
    w.keyValues([
      ['Certificate subject', model.signer.subject],
      ['SHA-256 fingerprint', { text: model.signer.fingerprintSha256, font: 'mono', size: sizes.mono + 1 }],
      [
        'Certificate',
        model.signer.selfSigned
          ? 'self-signed by the organisation (compare the fingerprint with the one it published)'
          : 'issued by a certification authority',
      ],
    ]);
    if (layout.cover.note) {
      w.y += 10;
      w.paragraph(fillPlaceholders(layout.cover.note, this.placeholders), { size: sizes.small, colour: colours.muted });
    }
  }

  // ---- contents: page count fixed by the number of entries; page numbers from the first pass ----

  private contents(): void {
    const { w, layout } = this;
    const section = layout.sections.find((s) => s.id === 'contents');
    if (!section) return;
    const entries = layout.sections.filter((s) => s.id !== 'contents');
    const size = layout.sizes.body;
    const entryHeight = w.lineHeight(size) * 1.5;
    const perPage = Math.max(1, Math.floor((w.bottom - w.top - w.lineHeight(layout.sizes.heading) * 2) / entryHeight));
    for (let first = 0; first < Math.max(1, entries.length); first += perPage) {
      w.newPage();
      if (first === 0) {
        if (this.plan) this.doc.outline.addItem(section.title);
        w.heading(section.title);
      }
      if (!this.plan) continue; // first pass: only the pages count
      for (const entry of entries.slice(first, first + perPage)) {
        const page = this.plan.sectionPages.get(entry.id);
        const number = page === undefined ? '' : String(page + 1);
        const numberWidth = w.measure('regular', size)(number);
        const text = w.fit(entry.title, w.width - numberWidth - 40, 'regular', size);
        const textWidth = w.measure('regular', size)(text);
        w.drawLine(text, w.left, w.y, w.style({ size }));
        w.drawLine(number, w.left, w.y, w.style({ size }), 'right', w.width);
        const lineY = w.y + w.lineHeight(size) * 0.75;
        this.doc
          .moveTo(w.left + textWidth + 6, lineY)
          .lineTo(w.right - numberWidth - 6, lineY)
          .dash(1, { space: 2.5 })
          .lineWidth(0.5)
          .strokeColor(layout.colours.rule)
          .stroke()
          .undash();
        if (page !== undefined) this.doc.goTo(w.left, w.y, w.width, w.lineHeight(size), `section-${entry.id}`);
        w.y += entryHeight;
      }
    }
  }

  /** Header and footer of a page other than the cover, drawn when the page is started (second pass). */
  private runningHeaderAndFooter(index: number): void {
    if (!this.plan || index === 0) return;
    const { doc, w, layout } = this;
    const small = layout.sizes.small;
    const style = w.style({ size: small, colour: layout.colours.muted });
    const values = { ...this.placeholders, page: String(index + 1), pages: String(this.plan.pages) };
    const half = w.width / 2 - 6;
    const headerY = layout.page.margins.top - w.lineHeight(small) - 12;
    const footerY = doc.page.height - layout.page.margins.bottom + 14;
    w.drawLine(w.fit(fillPlaceholders(layout.header.left, values), half, 'regular', small), w.left, headerY, style);
    w.drawLine(
      w.fit(fillPlaceholders(layout.header.right, values), half, 'regular', small),
      w.left,
      headerY,
      style,
      'right',
      w.width,
    );
    doc
      .moveTo(w.left, headerY + w.lineHeight(small) + 2)
      .lineTo(w.right, headerY + w.lineHeight(small) + 2)
      .lineWidth(0.4)
      .strokeColor(layout.colours.rule)
      .stroke();
    doc
      .moveTo(w.left, footerY - 4)
      .lineTo(w.right, footerY - 4)
      .lineWidth(0.4)
      .strokeColor(layout.colours.rule)
      .stroke();
    w.drawLine(w.fit(fillPlaceholders(layout.footer.left, values), half, 'regular', small), w.left, footerY, style);
    w.drawLine(
      w.fit(fillPlaceholders(layout.footer.right, values), half, 'regular', small),
      w.left,
      footerY,
      style,
      'right',
      w.width,
    );
  }

  // ---- sections ----

  private scope(): void {
    const { w, model } = this;
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

  private applicability(): void {
    const { w, model, layout } = this;
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

  private matrix(): void {
    const { w, model, layout } = this;
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
              c ? { text: c.status, colour: this.statusColour(c.status) } : '',
            ],
          });
        });
      });
    if (rows.length === 0) return w.paragraph('No applicable requirements.', { colour: layout.colours.muted });
    w.table(columns, rows);
  }

  private evidence(): void {
    const { w, model, layout } = this;
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
      const rows: Row[] = [];
      control.evidence.forEach((e, group) => {
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
      });
      w.table(columns, rows);
    }
  }

  private sweeps(): void {
    const { w, model, layout } = this;
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

  private exceptions(): void {
    const { w, model, layout } = this;
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

  private risks(): void {
    const { w, model, layout } = this;
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
      if (r.heatmap) this.heatmaps(r);
    }
  }

  private heatmaps(r: PackRiskSummary): void {
    const { w, layout } = this;
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
      this.doc.rect(x, w.y + 2, 9, 9).fill(layout.colours.levels[level]);
      w.drawLine(level, x + 12, w.y, w.style({ size: layout.sizes.small, colour: layout.colours.muted }));
      x += 12 + w.measure('regular', layout.sizes.small)(level) + 14;
    }
    w.y += w.lineHeight(layout.sizes.small) + 10;
  }

  private dsr(): void {
    const { w, model, layout } = this;
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

  private auditTrail(): void {
    const { w, model, layout } = this;
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

  private statusColour(status: string): string {
    if (status === 'fresh') return this.layout.colours.good;
    if (status === 'stale' || status === 'missing') return this.layout.colours.bad;
    return this.layout.colours.text;
  }
}

/**
 * A PDF font maps each glyph to text once, on first use. Sarabun draws SARA AM (ำ) with the glyphs of
 * nikhahit and sara aa; if that were their first use, every later plain า would read as nothing and every ํ as
 * ำ. Encoding the plain characters first fixes the mapping (pdfkit internals: skipped if they change).
 */
function seedGlyphText(doc: PDFKit.PDFDocument, fonts: string[]): void {
  for (const name of fonts) {
    const font = (doc.font(name) as unknown as { _font?: { encode?: (text: string) => unknown } })._font;
    if (typeof font?.encode === 'function') font.encode('\u0E32 \u0E4D');
  }
}

// ---- formatting ----

function frameworkLabel(model: PackModel): string {
  return cleanText(
    model.framework.version ? `${model.framework.name} ${model.framework.version}` : model.framework.name,
  );
}

function owner(c: PackControl): string {
  return c.ownerName ? `${c.ownerDepartment} / ${c.ownerName}` : c.ownerDepartment;
}

function oneLine(s: string): string {
  return cleanText(s).replace(/\n/g, ' ').slice(0, 500);
}

/** An attachment name without folders or control characters (it is shown and extracted as a file name). */
function attachmentName(name: string): string {
  const base = cleanText(name).replace(/\n/g, ' ').split(/[\\/]/).pop()!.trim();
  return base === '' || base === '.' || base === '..' ? 'attachment' : base.slice(0, 200);
}

function parseDate(s: string): Date | null {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-03-31 17:05 ICT" (in the compliance time zone) for an instant; a plain date stays as it is. */
export function formatDateTime(value: string | Date): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = typeof value === 'string' ? parseDate(value) : value;
  if (!d) return cleanText(String(value));
  return `${wallClock(d)} ${zoneLabel()}`;
}

function formatDate(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = parseDate(value);
  return d ? dayOf(d) : cleanText(value);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "1 of 1 separated, the longest 5.0 s after receipt; 0 not owed (identity unverified)". */
export function objectionsLine(
  o: { received: number; separated: number; notOwed: number; longestSeparationMs: number | null } | undefined,
): string {
  if (!o || o.received === 0) return 'none received';
  const longest =
    o.longestSeparationMs === null ? '' : `, the longest ${formatDuration(o.longestSeparationMs)} after receipt`;
  return `${o.separated} of ${o.received} separated${longest}; ${o.notOwed} not owed (identity never verified)`;
}

function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '—' : entries.map(([k, v]) => `${k} ${v}`).join(' · ');
}
