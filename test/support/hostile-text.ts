// Hostile variants of a good file, for property tests of everything that reads files people supply (YAML
// catalogs and data maps, Markdown policies with front matter, CSV registers): a real file mutated at random
// places with fragments that have broken parsers before (anchors, aliases, tags, unbalanced brackets, NUL and
// control characters, BOMs, bidi overrides, huge numbers, long runs), plus deep nesting on its own.
// Seeded by the caller (fast-check `seed`), so a failure prints the seed and the shrunk input that reproduces it.
import * as fc from 'fast-check';

export const HOSTILE_FRAGMENTS = [
  '&a ',
  '*a',
  '<<: *a\n',
  '!!binary ',
  '!!js/function ',
  '!custom ',
  '!<tag:x> ',
  '%YAML 1.1\n',
  '%TAG ! tag:evil:\n',
  '---\n',
  '...\n',
  '[',
  ']',
  '{',
  '}',
  ': ',
  '- ',
  '? ',
  '|\n',
  '>-\n',
  '"',
  "'",
  '#',
  ',',
  '""',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '  ',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\uFEFF',
  '\u202E',
  '\uD800',
  '\u0E01\u0E32\u0E23\u0E41\u0E1E\u0E17\u0E22\u0E4C',
  '\u05E9\u05DC\u05D5\u05DD',
  '1e999',
  '-0x1F',
  '0o777',
  '~',
  'null',
  '.inf',
  '.nan',
  '2026-02-30',
  '9'.repeat(400),
  'x'.repeat(5000),
  '=cmd|calc!A1',
  '@SUM(1)',
  '__proto__: { polluted: true }\n',
  'constructor: { prototype: { polluted: true } }\n',
  '<script>alert(1)</script>',
  '[x](javascript:alert(1))',
];

export interface Mutation {
  at: number;
  kind: 'insert' | 'delete' | 'repeat';
  fragment: string;
  length: number;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<Mutation['kind']>('insert', 'insert', 'delete', 'repeat'),
  fragment: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  ),
  length: fc.integer({ min: 1, max: 200 }),
});

/** `text` with the mutations applied in order (positions wrap around the current length). */
export function applyMutations(text: string, mutations: Mutation[]): string {
  let s = text;
  for (const m of mutations) {
    const at = s.length ? m.at % (s.length + 1) : 0;
    if (m.kind === 'insert') s = s.slice(0, at) + m.fragment + s.slice(at);
    else if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.length);
    else s = s.slice(0, at) + m.fragment.repeat(Math.min(m.length, 50)) + s.slice(at);
  }
  return s;
}

/** Deeply nested or very long input on its own (flow collections, block sequences, indentation). */
const nesting: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('[', '{a: ', '- ', '  - x:\n', '"', '(', '> '), fc.integer({ min: 100, max: 20_000 }))
  .map(([unit, n]) => unit.repeat(n));

/** A hostile variant of `good`: mutated (most often), or deep nesting, or the good text untouched. */
export function hostileVariant(good: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 6 }).map((ms) => applyMutations(good, ms)) },
    { weight: 1, arbitrary: nesting },
    { weight: 1, arbitrary: nesting.map((n) => good + n) },
  );
}

/** Files that are next to nothing, tried first by every text property (an empty file once had no line). */
export const EDGE_TEXTS: [string][] = [[''], ['~'], ['[]'], ['---\n---\n'], ['\uFEFF'], ['\n\n\n']];

/**
 * Runs and seed for these property tests: a few dozen in `npm test`, with a fixed seed so CI is repeatable;
 * HOSTILE_RUNS for more, HOSTILE_SEED for another sequence (`random` for a fresh one each run).
 */
export function hostileRuns(defaultRuns: number): { numRuns: number; seed?: number } {
  const runs = Number(process.env.HOSTILE_RUNS ?? defaultRuns);
  const seed = process.env.HOSTILE_SEED ?? '20261207';
  return {
    numRuns: Number.isFinite(runs) && runs > 0 ? runs : defaultRuns,
    ...(seed === 'random' ? {} : { seed: Number(seed) }),
  };
}
