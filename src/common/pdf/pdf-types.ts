// The shapes PdfWriter lays out: the page and type settings it reads, cells, columns and rows of its tables,
// and the geometry it computes for them.

/**
 * What PdfWriter reads of a document's layout: margins, line height, type sizes and colours. The audit
 * pack's layout (from its YAML) is one; the breach notification draft has its own.
 */
export interface WriterLayout {
  page: { margins: { top: number; bottom: number; left: number; right: number } };
  /** Line advance as a multiple of the font size. */
  lineHeight: number;
  sizes: { heading: number; subheading: number; body: number; table: number; small: number };
  colours: {
    text: string;
    muted: string;
    accent: string;
    rule: string;
    tableHeader: string;
    tableStripe: string;
    /** Heat-map cell fills by level name. */
    levels: Record<string, string>;
  };
}

export type FontKey = 'regular' | 'bold' | 'mono';

export interface CellStyle {
  font?: FontKey;
  size?: number;
  colour?: string;
}

export type Cell = string | ({ text: string } & CellStyle);

export interface Column {
  header: string;
  /** Share of the table width (the shares are normalised). */
  share: number;
  align?: 'left' | 'right';
  font?: FontKey;
}

export interface Row {
  /** One cell per column, or a single cell spanning the whole width. */
  cells: Cell[];
  /** Rows with the same group share a background shade (default: each row its own group). */
  group?: number;
  /** Never end a page after this row (it moves to the next page with the row after it). */
  keepWithNext?: boolean;
}

export interface TableGeometry {
  widths: number[];
  xs: number[];
}

export interface CellBox {
  x: number;
  w: number;
  align: 'left' | 'right';
  font: FontKey | undefined;
}

export interface LaidRow {
  boxes: CellBox[];
  cells: { lines: string[]; style: Required<CellStyle>; lh: number }[];
  height: number;
}

/** Where a heat map's cells sit: its left edge, the row-label column and the cell size. */
export interface HeatmapBox {
  x: number;
  labelWidth: number;
  cellWidth: number;
  cellHeight: number;
}
