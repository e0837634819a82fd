// Flow layout on top of pdfkit: a cursor, paragraphs, key/value blocks, tables with repeated headers and a
// heat-map grid. Every line is wrapped here (text.ts) and drawn by pdfkit as one unbroken run, so pdfkit never
// breaks lines or adds pages on its own; page breaks happen only in ensure().
import type {
  Cell,
  CellBox,
  CellStyle,
  Column,
  FontKey,
  HeatmapBox,
  LaidRow,
  Row,
  TableGeometry,
  WriterLayout,
} from './pdf-types';
import { clearLayoutCaches } from './fonts';
import { cleanText, wrapText } from './text';

export type { Cell, CellStyle, Column, FontKey, Row, WriterLayout } from './pdf-types';

const CELL_PAD_X = 4;
/** Baseline below the top of a line, in font sizes (room above it for Thai vowels and stacked tone marks). */
const BASELINE = 0.98;
const CELL_PAD_Y = 2.5;
/** pdfkit's cache of laid-out words is emptied every this many pages (fonts.ts clearLayoutCaches). */
const LAYOUT_CACHE_PAGES = 32;

export class PdfWriter {
  y: number;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    readonly layout: WriterLayout,
    /** Called right after each new page is started (running header and footer). */
    private readonly onNewPage: (pageIndex: number) => void = () => undefined,
    /**
     * False for a layout pass whose output is thrown away (the audit pack's first pass, which only learns
     * the page count): lines are measured and placed as usual but their text is not drawn.
     */
    private readonly drawText = true,
  ) {
    this.y = this.top;
  }

  get left(): number {
    return this.layout.page.margins.left;
  }
  get right(): number {
    return this.doc.page.width - this.layout.page.margins.right;
  }
  get width(): number {
    return this.right - this.left;
  }
  get top(): number {
    return this.layout.page.margins.top;
  }
  get bottom(): number {
    return this.doc.page.height - this.layout.page.margins.bottom;
  }
  get pageIndex(): number {
    const range = this.doc.bufferedPageRange();
    return range.start + range.count - 1;
  }

  lineHeight(size: number): number {
    return size * this.layout.lineHeight;
  }

  newPage(): void {
    // Memory bounded by a few pages' words, however many pages; often enough words repeat to keep the cache.
    if (this.pageIndex % LAYOUT_CACHE_PAGES === LAYOUT_CACHE_PAGES - 1) clearLayoutCaches(this.doc);
    this.doc.addPage();
    this.y = this.top;
    this.onNewPage(this.pageIndex);
  }

  /** Starts a new page unless `height` still fits below the cursor. */
  ensure(height: number): void {
    if (this.y + height > this.bottom && this.y > this.top) this.newPage();
  }

  measure(font: FontKey, size: number): (s: string) => number {
    const doc = this.doc;
    return (s: string) => doc.font(font).fontSize(size).widthOfString(s);
  }

  /** Draws one already-wrapped line at (x, y) as a single text run: no wrapping, no page breaks by pdfkit. */
  drawLine(
    text: string,
    x: number,
    y: number,
    style: Required<CellStyle>,
    align: 'left' | 'right' | 'center' = 'left',
    width = 0,
  ): void {
    if (text === '' || !this.drawText) return;
    const doc = this.doc.font(style.font).fontSize(style.size).fillColor(style.colour);
    let at = x;
    if (align !== 'left') {
      const w = doc.widthOfString(text);
      at = align === 'right' ? x + width - w : x + (width - w) / 2;
    }
    // Alphabetic baseline at a fixed share of the line box: fonts with different ascender metrics (Sarabun,
    // Sarabun Bold, Courier) then line up on one row.
    // SARA AM (U+0E33) is drawn as two glyphs (nikhahit + sara aa) and a PDF maps each glyph to text on its
    // own, so copy/search/pdftotext would read "ำา". An ActualText span gives such lines their real text.
    const actualText = text.includes('\u0E33');
    if (actualText) doc.markContent('Span', { actual: text });
    doc.text(text, at, y + style.size * BASELINE, { lineBreak: false, baseline: 'alphabetic' });
    if (actualText) doc.endMarkedContent();
  }

  /** `text` cut with an ellipsis to fit `width` on one line. */
  fit(text: string, width: number, font: FontKey, size: number): string {
    const measure = this.measure(font, size);
    const clean = cleanText(text).replace(/\n/g, ' ');
    if (measure(clean) <= width) return clean;
    const chars = [...new Intl.Segmenter('th', { granularity: 'grapheme' }).segment(clean)].map((s) => s.segment);
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (measure(chars.slice(0, mid).join('') + '…') <= width) lo = mid;
      else hi = mid - 1;
    }
    return chars.slice(0, lo).join('') + '…';
  }

  style(partial: CellStyle = {}): Required<CellStyle> {
    return {
      font: partial.font ?? 'regular',
      size: partial.size ?? this.layout.sizes.body,
      colour: partial.colour ?? this.layout.colours.text,
    };
  }

  /** A wrapped paragraph at the cursor; breaks pages between lines. */
  paragraph(text: string, options: CellStyle & { indent?: number; gapAfter?: number } = {}): void {
    const style = this.style(options);
    const x = this.left + (options.indent ?? 0);
    const lh = this.lineHeight(style.size);
    for (const line of wrapText(text, this.right - x, this.measure(style.font, style.size))) {
      this.ensure(lh);
      this.drawLine(line, x, this.y, style);
      this.y += lh;
    }
    this.y += options.gapAfter ?? style.size * 0.6;
  }

  heading(text: string): void {
    const size = this.layout.sizes.heading;
    this.ensure(this.lineHeight(size) + this.lineHeight(this.layout.sizes.body) * 3);
    this.paragraph(text, { font: 'bold', size, colour: this.layout.colours.accent, gapAfter: 2 });
    this.doc
      .moveTo(this.left, this.y)
      .lineTo(this.right, this.y)
      .lineWidth(0.8)
      .strokeColor(this.layout.colours.accent)
      .stroke();
    this.y += size * 0.6;
  }

  subheading(text: string, options: { keepWith?: number } = {}): void {
    const size = this.layout.sizes.subheading;
    this.y += size * 0.4;
    this.ensure(this.lineHeight(size) + (options.keepWith ?? this.lineHeight(this.layout.sizes.body) * 3));
    this.paragraph(text, { font: 'bold', size, gapAfter: size * 0.3 });
  }

  /** Label/value lines: labels in a fixed column, values wrapped beside them. */
  keyValues(pairs: [string, Cell][], labelWidth = 150): void {
    const size = this.layout.sizes.body;
    const labelStyle = this.style({ font: 'bold', size, colour: this.layout.colours.muted });
    for (const [label, cell] of pairs) {
      const { text, ...rest } = typeof cell === 'string' ? { text: cell } : cell;
      const style = this.style({ size, ...rest });
      const lh = this.lineHeight(Math.max(size, style.size));
      const labelLines = wrapText(label, labelWidth - 8, this.measure(labelStyle.font, labelStyle.size));
      const valueLines = wrapText(
        text === '' ? '—' : text,
        this.width - labelWidth,
        this.measure(style.font, style.size),
      );
      const lines = Math.max(labelLines.length, valueLines.length);
      this.ensure(lh * Math.min(lines, 3));
      for (let i = 0; i < lines; i++) {
        this.ensure(lh);
        if (labelLines[i]) this.drawLine(labelLines[i], this.left, this.y, labelStyle);
        if (valueLines[i])
          this.drawLine(valueLines[i], this.left + labelWidth, this.y + (lh - this.lineHeight(style.size)) / 2, style);
        this.y += lh;
      }
    }
    this.y += size * 0.6;
  }

  /** A table; the header row is repeated on every page it runs onto. */
  table(columns: Column[], rows: Row[], options: { size?: number } = {}): void {
    const size = options.size ?? this.layout.sizes.table;
    const geometry = this.columnGeometry(columns);
    const header = this.tableHeader(columns, geometry, size);
    const maxRowHeight = this.bottom - this.top - header.height - 4;
    this.ensure(header.height + this.lineHeight(size) * 2 + 2 * CELL_PAD_Y);
    header.draw();
    const laidRows = rows.map((row) => this.layRow(row, columns, geometry, size, maxRowHeight));
    laidRows.forEach((row, r) => {
      // A row marked keepWithNext moves to the next page together with the row after it (a file and its digest).
      let needed = row.height;
      for (let k = r; rows[k]?.keepWithNext && laidRows[k + 1] && needed + laidRows[k + 1].height <= maxRowHeight; k++)
        needed += laidRows[k + 1].height;
      if (this.y + needed > this.bottom) {
        this.newPage();
        header.draw();
      }
      const group = rows[r].group ?? r;
      if (group % 2 === 1)
        this.doc.rect(this.left, this.y, this.width, row.height).fill(this.layout.colours.tableStripe);
      this.drawRowCells(row);
      this.y += row.height;
      const next = rows[r + 1];
      if (!next || (next.group ?? r + 1) !== group) {
        this.doc
          .moveTo(this.left, this.y)
          .lineTo(this.right, this.y)
          .lineWidth(0.4)
          .strokeColor(this.layout.colours.rule)
          .stroke();
      }
    });
    this.y += size;
  }

  /** Each column's width (its share of the table width) and left edge. */
  private columnGeometry(columns: Column[]): TableGeometry {
    const total = columns.reduce((s, c) => s + c.share, 0);
    const widths = columns.map((c) => (c.share / total) * this.width);
    const xs = widths.map((_, i) => this.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
    return { widths, xs };
  }

  /** The header row's height and a function drawing it at the cursor (and moving the cursor below it). */
  private tableHeader(
    columns: Column[],
    { widths, xs }: TableGeometry,
    size: number,
  ): { height: number; draw: () => void } {
    const headerStyle = this.style({ font: 'bold', size });
    const headerLines = columns.map((c, i) =>
      wrapText(c.header, widths[i] - 2 * CELL_PAD_X, this.measure('bold', size)),
    );
    const headerHeight = Math.max(...headerLines.map((l) => l.length)) * this.lineHeight(size) + 2 * CELL_PAD_Y;

    const drawHeader = () => {
      this.doc.rect(this.left, this.y, this.width, headerHeight).fill(this.layout.colours.tableHeader);
      headerLines.forEach((lines, i) =>
        lines.forEach((line, n) =>
          this.drawLine(
            line,
            xs[i] + CELL_PAD_X,
            this.y + CELL_PAD_Y + n * this.lineHeight(size),
            headerStyle,
            columns[i].align,
            widths[i] - 2 * CELL_PAD_X,
          ),
        ),
      );
      this.y += headerHeight;
    };
    return { height: headerHeight, draw: drawHeader };
  }

  /** One row's cells wrapped into their boxes (a single cell spans the table), cut to fit one page. */
  private layRow(
    row: Row,
    columns: Column[],
    { widths, xs }: TableGeometry,
    size: number,
    maxRowHeight: number,
  ): LaidRow {
    const spans = row.cells.length === 1 && columns.length > 1;
    const boxes: CellBox[] = spans
      ? [{ x: this.left, w: this.width, align: 'left' as const, font: undefined }]
      : columns.map((c, i) => ({ x: xs[i], w: widths[i], align: c.align ?? 'left', font: c.font }));
    const cells = row.cells.map((cell, i) => {
      const { text, ...rest } = typeof cell === 'string' ? { text: cell } : cell;
      const style = this.style({ size, font: boxes[i]?.font, ...rest });
      const lh = this.lineHeight(style.size);
      let lines = wrapText(text, boxes[i].w - 2 * CELL_PAD_X, this.measure(style.font, style.size));
      const fitting = Math.max(1, Math.floor((maxRowHeight - 2 * CELL_PAD_Y) / lh));
      if (lines.length > fitting) lines = [...lines.slice(0, fitting - 1), '… (cut: too long for one page)'];
      return { lines, style, lh };
    });
    return { boxes, cells, height: Math.max(...cells.map((c) => c.lines.length * c.lh)) + 2 * CELL_PAD_Y };
  }

  /** Draws a laid-out row's lines at the cursor. */
  private drawRowCells(row: LaidRow): void {
    row.cells.forEach((cell, i) =>
      cell.lines.forEach((line, n) =>
        this.drawLine(
          line,
          row.boxes[i].x + CELL_PAD_X,
          this.y + CELL_PAD_Y + n * cell.lh,
          cell.style,
          row.boxes[i].align,
          row.boxes[i].w - 2 * CELL_PAD_X,
        ),
      ),
    );
  }

  /**
   * One heat map: rows = probability (most probable on top), columns = severity (least severe left), each
   * cell filled by its level's colour and labelled with its count.
   */
  heatmapGrid(
    x: number,
    y: number,
    width: number,
    grid: {
      caption: string;
      rows: string[];
      columns: string[];
      counts: (row: number, column: number) => number;
      level: (row: number, column: number) => string;
    },
  ): number {
    const small = this.layout.sizes.small;
    const labelWidth = Math.min(64, width * 0.28);
    const cellWidth = (width - labelWidth) / Math.max(1, grid.columns.length);
    const cellHeight = Math.min(26, Math.max(16, cellWidth * 0.7));
    const lhSmall = this.lineHeight(small);
    const box: HeatmapBox = { x, labelWidth, cellWidth, cellHeight };
    this.drawLine(
      this.fit(grid.caption, width - labelWidth, 'bold', this.layout.sizes.body),
      x + labelWidth,
      y,
      this.style({ font: 'bold' }),
      'center',
      width - labelWidth,
    );
    this.drawLine(
      'probability ↑',
      x,
      y + (this.lineHeight(this.layout.sizes.body) - lhSmall),
      this.style({ size: small, colour: this.layout.colours.muted }),
      'right',
      labelWidth - 6,
    );
    let cy = y + this.lineHeight(this.layout.sizes.body) + 2;
    grid.rows.forEach((rowLabel, r) => {
      this.heatmapRow(box, cy, rowLabel, r, grid);
      cy += cellHeight;
    });
    cy = this.heatmapColumnLabels(box, cy, grid.columns);
    this.drawLine(
      'severity →',
      x + labelWidth,
      cy,
      this.style({ size: small, colour: this.layout.colours.muted }),
      'center',
      width - labelWidth,
    );
    return cy + lhSmall - y;
  }

  /** One probability row of a heat map at `cy`: its label on the left, then one filled, counted cell per severity. */
  private heatmapRow(
    { x, labelWidth, cellWidth, cellHeight }: HeatmapBox,
    cy: number,
    rowLabel: string,
    r: number,
    grid: {
      columns: string[];
      counts: (row: number, column: number) => number;
      level: (row: number, column: number) => string;
    },
  ): void {
    const small = this.layout.sizes.small;
    const lhSmall = this.lineHeight(small);
    const labelLines = wrapText(rowLabel, labelWidth - 6, this.measure('regular', small)).slice(0, 2);
    labelLines.forEach((line, n) =>
      this.drawLine(
        line,
        x,
        cy + (cellHeight - labelLines.length * lhSmall) / 2 + n * lhSmall,
        this.style({ size: small, colour: this.layout.colours.muted }),
        'right',
        labelWidth - 6,
      ),
    );
    grid.columns.forEach((_, c) => {
      const cx = x + labelWidth + c * cellWidth;
      const fill = this.layout.colours.levels[grid.level(r, c)] ?? this.layout.colours.tableStripe;
      this.doc.rect(cx, cy, cellWidth, cellHeight).fillAndStroke(fill, '#ffffff');
      const count = grid.counts(r, c);
      const text = count > 0 ? String(count) : '·';
      const style = this.style({
        font: count > 0 ? 'bold' : 'regular',
        colour: count > 0 ? this.layout.colours.text : this.layout.colours.muted,
      });
      this.drawLine(text, cx, cy + (cellHeight - this.lineHeight(style.size)) / 2, style, 'center', cellWidth);
    });
  }

  /** The severity labels under a heat map's cells, from `cy`; returns the y below them. */
  private heatmapColumnLabels({ x, labelWidth, cellWidth }: HeatmapBox, cy: number, columns: string[]): number {
    const small = this.layout.sizes.small;
    // Column labels: shrunk (down to 5 pt) so that the longest word fits its cell rather than breaking.
    const longestWord = Math.max(
      ...columns.flatMap((l) => cleanText(l).split(/\s+/)).map((word) => this.measure('regular', small)(word)),
      1,
    );
    const labelSize = Math.max(5, Math.min(small, (small * (cellWidth - 3)) / longestWord));
    const lhLabel = this.lineHeight(labelSize);
    let maxLines = 1;
    columns.forEach((label, c) => {
      const lines = wrapText(label, cellWidth - 2, this.measure('regular', labelSize)).slice(0, 3);
      maxLines = Math.max(maxLines, lines.length);
      lines.forEach((line, n) =>
        this.drawLine(
          line,
          x + labelWidth + c * cellWidth,
          cy + 2 + n * lhLabel,
          this.style({ size: labelSize, colour: this.layout.colours.muted }),
          'center',
          cellWidth,
        ),
      );
    });
    return cy + 2 + maxLines * lhLabel;
  }
}
