// The heat map as standalone SVG text: the S × P grid, each cell coloured by its level and carrying its
// count, before and after controls side by side. Self-contained (no scripts, no styles or fonts fetched,
// no links), so the same text goes inline in a page and into a PDF. Pure: no Nest, no TypeORM.
import { levelLabel, type HeatmapCell, type RiskLevel } from './risk-matrix';

export interface HeatmapAxisLevel {
  level: string;
  name: string;
}

export interface HeatmapSvgInput {
  /** The accessible name of the image (`<title>`), e.g. "ISO 14971 register: heat map". */
  title: string;
  /** S1 … Sn, least severe first. */
  severity: HeatmapAxisLevel[];
  /** Probability (or likelihood) levels, least probable first. */
  probability: HeatmapAxisLevel[];
  /** Cells as `heatmapGrid` returns them (any order; a cell missing from the list is drawn empty). */
  before: HeatmapCell[];
  after: HeatmapCell[];
  /** Risks counted after controls at their initial cell, having no residual assessment yet. */
  unassessed?: number;
  /** Prefix of the ids inside the SVG, distinct per image when several are inline in one page. */
  idPrefix?: string;
}

/** Fill and text colour per level: green, amber, red, with text contrast of at least 4.5:1. */
export const LEVEL_COLOURS: Record<RiskLevel, { fill: string; text: string }> = {
  acceptable: { fill: '#2e7d32', text: '#ffffff' },
  alara: { fill: '#f9a825', text: '#1a1a1a' },
  unacceptable: { fill: '#c62828', text: '#ffffff' },
};

const LEVEL_LABELS: Record<RiskLevel, string> = {
  acceptable: 'acceptable',
  alara: 'ALARA',
  unacceptable: 'unacceptable',
};

const CELL = 44;
const AXIS_LABEL = 150;
const GAP = 40;
const HEAD = 28;
const FOOT = 44;

// Characters XML 1.0 does not allow at all (C0 controls other than tab, newline, carriage return; lone surrogates; U+FFFE/U+FFFF).
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text safe in SVG element content and in double- or single-quoted attributes. */
export function escapeXml(text: string): string {
  return String(text)
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function grid(input: HeatmapSvgInput, which: 'before' | 'after', x0: number, caption: string): string {
  const n = input.severity.length;
  const rows = [...input.probability].reverse();
  const byCell = new Map(input[which].map((c) => [`${c.severity}|${c.probability}`, c]));
  const parts: string[] = [];
  const total = input[which].reduce((sum, c) => sum + c.count, 0);
  parts.push(
    `<g class="heatmap-${which}" aria-label="${escapeXml(`${caption}: ${total} risk${total === 1 ? '' : 's'}`)}">`,
  );
  parts.push(
    `<text x="${x0 + AXIS_LABEL + (n * CELL) / 2}" y="18" text-anchor="middle" font-weight="bold">${escapeXml(caption)}</text>`,
  );
  rows.forEach((p, r) => {
    const y = HEAD + r * CELL;
    parts.push(
      `<text x="${x0 + AXIS_LABEL - 6}" y="${y + CELL / 2 + 4}" text-anchor="end">${escapeXml(levelLabel(p))}</text>`,
    );
    input.severity.forEach((s, c) => {
      const cell = byCell.get(`${s.level}|${p.level}`);
      const x = x0 + AXIS_LABEL + c * CELL;
      const count = cell?.count ?? 0;
      const colour = cell ? LEVEL_COLOURS[cell.level] : { fill: '#eeeeee', text: '#1a1a1a' };
      const label = `${caption}: ${levelLabel(s)} × ${levelLabel(p)}, ${cell ? LEVEL_LABELS[cell.level] : 'no level'}, ${count} risk${count === 1 ? '' : 's'}`;
      parts.push(
        `<g class="cell" data-severity="${escapeXml(s.level)}" data-probability="${escapeXml(p.level)}" data-level="${cell ? cell.level : ''}" data-count="${count}">` +
          `<title>${escapeXml(label)}</title>` +
          `<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" fill="${colour.fill}" stroke="#ffffff" stroke-width="2"/>` +
          (count > 0
            ? `<text x="${x + CELL / 2}" y="${y + CELL / 2 + 5}" text-anchor="middle" font-weight="bold" fill="${colour.text}">${count}</text>`
            : '') +
          `</g>`,
      );
    });
  });
  const yAxis = HEAD + rows.length * CELL;
  input.severity.forEach((s, c) => {
    parts.push(
      `<text x="${x0 + AXIS_LABEL + c * CELL + CELL / 2}" y="${yAxis + 16}" text-anchor="middle">${escapeXml(s.level)}</text>`,
    );
  });
  parts.push(
    `<text x="${x0 + AXIS_LABEL + (n * CELL) / 2}" y="${yAxis + 34}" text-anchor="middle" font-size="11">severity →</text>`,
  );
  parts.push('</g>');
  return parts.join('');
}

/**
 * Both heat maps — before controls (initial S × P) and after them (residual, or initial while unassessed) —
 * as one standalone SVG document: `role="img"` with `<title>` and a `<desc>` giving the totals, each cell a
 * group with its own `<title>`, all text escaped.
 */
export function renderHeatmapSvg(input: HeatmapSvgInput): string {
  const n = input.severity.length;
  const mapWidth = AXIS_LABEL + n * CELL;
  const width = mapWidth * 2 + GAP;
  const height = HEAD + input.probability.length * CELL + FOOT + (input.unassessed ? 18 : 0);
  const before = input.before.reduce((sum, c) => sum + c.count, 0);
  const desc =
    `Risks per severity × probability cell: ${before} before controls; after controls, residual levels` +
    (input.unassessed ? ` (${input.unassessed} not yet assessed, counted at their initial cell)` : '') +
    '.';
  const id = (input.idPrefix ?? 'heatmap').replace(/[^A-Za-z0-9_-]/g, '-');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title ${id}-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title id="${id}-title">${escapeXml(input.title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(desc)}</desc>`,
    grid(input, 'before', 0, 'Before controls'),
    grid(input, 'after', mapWidth + GAP, 'After controls'),
  ];
  if (input.unassessed) {
    parts.push(
      `<text x="0" y="${height - 4}" font-size="11">${escapeXml(`${input.unassessed} not yet assessed after controls (counted at their initial cell)`)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
