// Server-rendered SVG line charts for the dashboards (issue 19): no script, no colour needed to read them —
// each series has its own dash pattern and point marker, is named at its line's end and in a legend, and every
// point carries its value as a <title>. The numbers are also on the page as a table and as CSV.
export interface ChartSeries {
  name: string;
  /** One value per label; 0–100 for a percent chart. */
  values: number[];
}

const WIDTH = 640;
const HEIGHT = 260;
const LEFT = 40;
const RIGHT = 110;
const TOP = 12;
const BOTTOM = 36;
const DASHES = ['', '6 4', '2 3', '10 3 2 3', '1 6'];
const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross'] as const;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function marker(kind: (typeof MARKERS)[number], x: number, y: number): string {
  const at = (dx: number, dy: number) => `${(x + dx).toFixed(1)},${(y + dy).toFixed(1)}`;
  if (kind === 'circle') return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5"/>`;
  if (kind === 'square') return `<rect x="${(x - 3.5).toFixed(1)}" y="${(y - 3.5).toFixed(1)}" width="7" height="7"/>`;
  if (kind === 'triangle') return `<polygon points="${at(0, -4.5)} ${at(4, 3)} ${at(-4, 3)}"/>`;
  if (kind === 'diamond') return `<polygon points="${at(0, -4.5)} ${at(4.5, 0)} ${at(0, 4.5)} ${at(-4.5, 0)}"/>`;
  return `<path d="M${at(-4, -4)} L${at(4, 4)} M${at(-4, 4)} L${at(4, -4)}" fill="none"/>`;
}

/** The chart's axes and grid: y from 0 to `max` in quarters, one x label per point (every other when crowded). */
function axes(labels: string[], max: number, unit: string, x: (i: number) => number, y: (v: number) => number) {
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = Math.round(max * f);
    return `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${LEFT - 4}" y="${y(v) + 4}" text-anchor="end">${v}${unit}</text>`;
  });
  const step = labels.length > 8 ? 2 : 1;
  const ticks = labels.map((l, i) =>
    i % step === (labels.length - 1) % step
      ? `<text x="${x(i)}" y="${HEIGHT - BOTTOM + 16}" text-anchor="middle">${escapeXml(l)}</text>`
      : '',
  );
  return grid.join('') + ticks.join('');
}

/** Where the series' names go at the lines' ends: at each line's last point, pushed apart to stay legible. */
export function labelPositions(ys: number[], gap = 13): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y || a.i - b.i);
  const placed = new Array<number>(ys.length);
  let previous = -Infinity;
  for (const { y, i } of order) {
    previous = Math.max(y, previous + gap);
    placed[i] = previous;
  }
  return placed;
}

/**
 * A line chart as SVG markup: `labels` along x, one line per series. `max` is the top of the y axis (100 for
 * percentages); `unit` follows each y label and value ("%"). `title` names the chart for screen readers.
 */
export function lineChart(input: {
  title: string;
  labels: string[];
  series: ChartSeries[];
  max?: number;
  unit?: string;
}): string {
  const { title, labels, series, unit = '' } = input;
  const max = Math.max(1, input.max ?? Math.max(0, ...series.flatMap((s) => s.values)));
  const x = (i: number) => LEFT + (labels.length > 1 ? (i * (WIDTH - LEFT - RIGHT)) / (labels.length - 1) : 0);
  const y = (v: number) => TOP + (HEIGHT - TOP - BOTTOM) * (1 - Math.min(v, max) / max);
  const ends = labelPositions(series.map((s) => (s.values.length ? y(s.values[s.values.length - 1]) : TOP)));
  const endX = x(labels.length - 1) + 8;
  const lines = series.map((s, n) => {
    const dash = DASHES[n % DASHES.length];
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const marks = s.values
      .map(
        (v, i) =>
          `<g>${marker(MARKERS[n % MARKERS.length], x(i), y(v))}<title>${escapeXml(`${s.name} ${labels[i]}: ${v}${unit}`)}</title></g>`,
      )
      .join('');
    const end = `<text x="${endX.toFixed(1)}" y="${(ends[n] + 4).toFixed(1)}">${escapeXml(s.name)}</text>`;
    return `<g class="series series-${n}" data-series="${escapeXml(s.name)}"><polyline points="${points}" fill="none"${dash ? ` stroke-dasharray="${dash}"` : ''}/>${marks}${end}</g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(title)}" class="chart"><title>${escapeXml(title)}</title>${axes(labels, max, unit, x, y)}${lines.join('')}</svg>`;
}
