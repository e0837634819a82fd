// The strict YAML reader's edges: nesting that exhausts the parser is one problem in words, many problems
// are capped with a count, and what is refused (anchors, aliases, custom tags) is named where it stands.
import { MAX_YAML_PROBLEMS, parseStrictYaml } from './strict-yaml';

describe('parseStrictYaml', () => {
  it('reads plain YAML without problems', () => {
    const { doc, problems } = parseStrictYaml('key: a\nlist: [1, 2]\n');
    expect(problems).toEqual([]);
    expect(doc.toJS()).toEqual({ key: 'a', list: [1, 2] });
  });

  it.each([
    ['flow sequences', '['.repeat(20_000)],
    ['flow mappings', '{a: '.repeat(20_000)],
    ['block sequences', '- '.repeat(20_000) + 'x'],
  ])('%s nested until the parser gives up are one problem, in words', (_what, text) => {
    expect(parseStrictYaml(text).problems).toEqual([
      { offset: expect.any(Number), message: 'collections are nested too deeply to read' },
    ]);
  });

  it(`lists at most ${MAX_YAML_PROBLEMS} problems, then how many more there are`, () => {
    const text = Array.from({ length: 80 }, (_, i) => `k${i}: &a${i} v`).join('\n');
    const { problems } = parseStrictYaml(text);
    expect(problems).toHaveLength(MAX_YAML_PROBLEMS + 1);
    expect(problems[0].message).toBe('YAML anchors (&a0) are not allowed');
    const more = problems[MAX_YAML_PROBLEMS];
    expect(more.message).toBe('and 30 more problems from here on');
    // At the 51st problem: on the 51st line.
    expect(more.offset).toBeGreaterThan(text.indexOf('k50:'));
    expect(more.offset).toBeLessThan(text.indexOf('k51:'));
  });

  it('names aliases and custom tags at their offsets, and duplicate keys', () => {
    const text = 'a: 1\nb: *x\nc: !evil v\na: 2\n? [k]\n: v\n';
    const messages = parseStrictYaml(text).problems.map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'YAML aliases (*x) are not allowed',
        'custom YAML tags (!evil) are not allowed',
        'keys must be plain values, not lists or mappings',
        expect.stringMatching(/unique/),
      ]),
    );
  });
});
