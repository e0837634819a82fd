// The SVG heat map: one cell per S × P of each map, coloured by level, with its count; accessible name;
// everything from input escaped; nothing that runs or fetches.
import { join } from 'node:path';
import { loadRiskMatrix } from '../risk-matrix-loader';
import { escapeXml, HeatmapSvgInput, LEVEL_COLOURS, renderHeatmapSvg } from './heatmap-svg';
import { heatmapGrid, RiskMatrix } from './risk-matrix';

const M: RiskMatrix = loadRiskMatrix(join(__dirname, '..', '..', '..', 'controls')).matrix!;

function input(overrides: Partial<HeatmapSvgInput> = {}): HeatmapSvgInput {
  const before = heatmapGrid(M, [
    { severity: 'S4', probability: 'probable', count: 3 },
    { severity: 'S1', probability: 'improbable', count: 1 },
  ]).cells;
  const after = heatmapGrid(M, [
    { severity: 'S4', probability: 'remote', count: 2 },
    { severity: 'S1', probability: 'improbable', count: 2 },
  ]).cells;
  return {
    title: 'ISO 14971 register: heat map',
    severity: M.severity.map(({ level, name }) => ({ level, name })),
    probability: M.probability.map(({ level, name }) => ({ level, name })),
    before,
    after,
    ...overrides,
  };
}

/** Each `<g class="cell" …>…</g>` of one map, with its attributes and content. */
function cellsOf(svg: string, which: 'before' | 'after') {
  const map = svg.match(
    new RegExp(
      `<g class="heatmap-${which}"[^>]*>(.*?)</g><g class="heatmap-|<g class="heatmap-${which}"[^>]*>(.*)</g>`,
      's',
    ),
  );
  expect(map).not.toBeNull();
  const body = map![1] ?? map![2];
  return [
    ...body.matchAll(
      /<g class="cell" data-severity="([^"]*)" data-probability="([^"]*)" data-level="([^"]*)" data-count="(\d+)">(.*?)<\/g>/gs,
    ),
  ].map((m) => ({
    severity: m[1],
    probability: m[2],
    level: m[3],
    count: Number(m[4]),
    content: m[5],
  }));
}

describe('renderHeatmapSvg', () => {
  const svg = renderHeatmapSvg(input());

  it('is a standalone SVG image with an accessible name and description', () => {
    expect(
      svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="heatmap-title heatmap-desc"'),
    ).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title id="heatmap-title">ISO 14971 register: heat map</title>');
    expect(svg).toMatch(/<desc id="heatmap-desc">Risks per severity × probability cell: 4 before controls;/);
  });

  it.each(['before', 'after'] as const)(
    'draws all 25 cells of the %s map, each coloured by its level from the matrix',
    (which) => {
      const cells = cellsOf(svg, which);
      expect(cells).toHaveLength(25);
      for (const c of cells) {
        const level = M.matrix[c.probability][Number(c.severity.slice(1)) - 1];
        expect(c.level).toBe(level);
        expect(c.content).toContain(`fill="${LEVEL_COLOURS[level].fill}"`);
      }
      expect(cells.slice(0, 5).map((c) => c.probability)).toEqual([
        'frequent',
        'frequent',
        'frequent',
        'frequent',
        'frequent',
      ]);
      expect(cells.slice(0, 5).map((c) => c.severity)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
    },
  );

  it('writes the count in each cell that has risks, and nothing in empty cells', () => {
    const counted = (which: 'before' | 'after') =>
      cellsOf(svg, which)
        .filter((c) => c.count > 0)
        .map((c) => `${c.severity}×${c.probability}=${c.count}`);
    expect(counted('before')).toEqual(['S4×probable=3', 'S1×improbable=1']);
    expect(counted('after')).toEqual(['S4×remote=2', 'S1×improbable=2']);
    const s4p4 = cellsOf(svg, 'before').find((c) => c.severity === 'S4' && c.probability === 'probable')!;
    expect(s4p4.content).toMatch(/<text [^>]*>3<\/text>/);
    expect(s4p4.content).toContain('<title>Before controls: S4 Critical × Probable, unacceptable, 3 risks</title>');
    const empty = cellsOf(svg, 'after').find((c) => c.severity === 'S5' && c.probability === 'frequent')!;
    expect(empty.content).not.toContain('<text');
    expect(empty.content).toContain(', 0 risks</title>');
  });

  it('labels the axes with level and name', () => {
    expect(svg).toContain('>Frequent</text>');
    expect(svg).toContain('>Improbable</text>');
    expect(svg).toMatch(/>S5<\/text>/);
    expect(svg).toContain('>Before controls</text>');
    expect(svg).toContain('>After controls</text>');
  });

  it('mentions risks not yet assessed after controls only when there are some', () => {
    expect(svg).not.toContain('not yet assessed');
    const withUnassessed = renderHeatmapSvg(input({ unassessed: 2 }));
    expect(withUnassessed).toContain('(2 not yet assessed, counted at their initial cell)');
    expect(withUnassessed).toContain('>2 not yet assessed after controls (counted at their initial cell)</text>');
  });

  it('draws a cell the input leaves out as empty, without a level', () => {
    const partial = renderHeatmapSvg(
      input({ before: input().before.filter((c) => !(c.severity === 'S1' && c.probability === 'improbable')) }),
    );
    const s1p1 = cellsOf(partial, 'before').find((c) => c.severity === 'S1' && c.probability === 'improbable')!;
    expect(s1p1.level).toBe('');
    expect(s1p1.content).toContain('fill="#eeeeee"');
  });

  it('escapes the title, the level names and the id prefix', () => {
    const hostile = renderHeatmapSvg(
      input({
        title: '</title><script>alert("x")</script> & \'q\'',
        severity: input().severity.map((s, i) => (i === 0 ? { level: 'S1', name: '<b onload="x">' } : s)),
        probability: input().probability.map((p, i) => (i === 0 ? { level: 'improbable', name: 'a&b\u0007' } : p)),
        idPrefix: 'x" onload="alert(1)',
      }),
    );
    expect(hostile).toContain(
      '<title id="x--onload--alert-1--title">&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;q&apos;</title>',
    );
    expect(hostile).toContain('S1 &lt;b onload=&quot;x&quot;&gt; × improbable a&amp;b\uFFFD');
    expect(hostile).not.toMatch(/<script|<b |onload="/);
  });

  it('has no scripts, event handlers, styles or external references', () => {
    for (const s of [svg, renderHeatmapSvg(input({ unassessed: 1 }))]) {
      expect(s).not.toMatch(/<script|<style|<foreignObject|<image|<use|<a[\s>]|href=|url\(|@import|\son[a-z]+=/i);
      const namespaces = [...s.matchAll(/https?:\/\/[^"\s]+/g)].map((m) => m[0]);
      expect(namespaces).toEqual(['http://www.w3.org/2000/svg']);
    }
  });

  it('draws a 3 × 3 matrix as 9 cells a map', () => {
    const three: RiskMatrix = {
      size: 3,
      severity: M.severity.slice(0, 3),
      probability: [
        { level: 'improbable', name: 'Unlikely', upper: 1e-4 },
        { level: 'remote', name: 'Possible', upper: 1e-2 },
        { level: 'occasional', name: 'Likely', upper: 1 },
      ],
      p1xp2: 'upper-bound-product',
      matrix: {
        occasional: ['alara', 'unacceptable', 'unacceptable'],
        remote: ['acceptable', 'alara', 'unacceptable'],
        improbable: ['acceptable', 'acceptable', 'alara'],
      },
    };
    const cells = heatmapGrid(three, [{ severity: 'S2', probability: 'occasional', count: 4 }]).cells;
    const small = renderHeatmapSvg({
      title: 't',
      severity: three.severity,
      probability: three.probability,
      before: cells,
      after: cells,
    });
    expect(cellsOf(small, 'before')).toHaveLength(9);
    expect(
      cellsOf(small, 'after')
        .filter((c) => c.count)
        .map((c) => [c.severity, c.probability, c.level, c.count]),
    ).toEqual([['S2', 'occasional', 'unacceptable', 4]]);
  });
});

describe('escapeXml', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<x>', '&lt;x&gt;'],
    ['"\'', '&quot;&apos;'],
    ['&amp;', '&amp;amp;'],
    ['tab\tnew\nline', 'tab\tnew\nline'],
    ['bell\u0007', 'bell\uFFFD'],
    ['lone \uD800 surrogate', 'lone \uFFFD surrogate'],
    ['pair 😀', 'pair 😀'],
  ])('%j → %j', (text, escaped) => expect(escapeXml(text)).toBe(escaped));
});
