import { labelPositions, lineChart } from './svg-chart';

describe('lineChart', () => {
  const svg = lineChart({
    title: 'Fresh <share>',
    labels: ['W49', 'W50'],
    series: [
      { name: 'soc2', values: [10, 50] },
      { name: 'pdpa & co', values: [0, 50] },
    ],
    max: 100,
    unit: '%',
  });

  it('draws a line per series with its own dash pattern and marker, named at its end (no colour needed)', () => {
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('data-series="soc2"');
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('>soc2</text>');
  });

  it('gives every point its value as a title and escapes names', () => {
    expect(svg).toContain('<title>soc2 W50: 50%</title>');
    expect(svg).toContain('pdpa &#38; co');
    expect(svg).toContain('aria-label="Fresh &#60;share&#62;"');
    expect(svg).not.toContain('<share>');
  });

  it('labels the y axis from 0 to max', () => {
    expect(svg).toContain('>0%</text>');
    expect(svg).toContain('>100%</text>');
  });
});

describe('labelPositions', () => {
  it('keeps labels at their points when apart and pushes overlapping ones down, in order', () => {
    expect(labelPositions([10, 100])).toEqual([10, 100]);
    expect(labelPositions([50, 50, 55])).toEqual([50, 63, 76]);
    expect(labelPositions([80, 40])).toEqual([80, 40]);
  });
});
