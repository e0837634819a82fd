// The audit-pack PDF: lays out a PackModel with pdfkit following templates/pdf/audit-pack.yaml. No Nest, no
// database: the builder collects the model, this turns it into bytes (unsigned; signing/ signs them).
// This file runs the passes and draws the cover, contents and running headers; the sections are in
// control-sections.ts and operations-sections.ts, their text formats in pack-format.ts.
import { pdfDocumentClass } from '../../common/pdf/pdfkit';
import { registerFonts } from '../../common/pdf/fonts';
import type { PackModel } from '../pack-model';
import { applicability, evidence, matrix, scope } from './control-sections';
import { incidents } from './incident-sections';
import { policies } from './policy-sections';
import { releases, security } from './release-sections';
import { loadLayout, PackLayout, SectionId } from './layout';
import { auditTrail, dsr, exceptions, risks, sweeps } from './operations-sections';
import { attachmentName, formatDateTime, frameworkLabel, parseDate } from './pack-format';
import { PdfWriter } from './pdf-writer';
import type { SectionContext } from './section-context';
import { cleanText, fillPlaceholders, oneLine } from './text';

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
  const doc = new (pdfDocumentClass())({
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
    registerFonts(doc, layout.fontFiles);
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
    // The first pass only measures: where lines and pages break depends on widths, not on drawing them.
    this.w = new PdfWriter(doc, layout, (index) => this.runningHeaderAndFooter(index), plan !== null);
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
    const ctx: SectionContext = { doc: this.doc, w: this.w, layout: this.layout, model: this.model };
    switch (id) {
      case 'scope':
        return scope(ctx);
      case 'applicability':
        return applicability(ctx);
      case 'matrix':
        return matrix(ctx);
      case 'evidence':
        return evidence(ctx);
      case 'sweeps':
        return sweeps(ctx);
      case 'exceptions':
        return exceptions(ctx);
      case 'risks':
        return risks(ctx);
      case 'dsr':
        return dsr(ctx);
      case 'incidents':
        return incidents(ctx);
      case 'policies':
        return policies(ctx);
      case 'releases':
        return releases(ctx);
      case 'security':
        return security(ctx);
      case 'audit-trail':
        return auditTrail(ctx);
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
}
