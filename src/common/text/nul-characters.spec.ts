import { dottedPath, nulCharacterPaths } from './nul-characters';

describe('nulCharacterPaths', () => {
  it.each([
    ['a clean value', { a: 'x', b: [1, 'y', { c: null }] }, []],
    ['a top-level string', 'a\u0000b', [[]]],
    [
      'nested strings, in document order',
      { a: ['ok', 'n\u0000'], b: { c: '\u0000' } },
      [
        ['a', 1],
        ['b', 'c'],
      ],
    ],
    ['an object key', { 'k\u0000': 'v' }, [['k\u0000']]],
  ])('%s', (_label, value, paths) => {
    expect(nulCharacterPaths(value)).toEqual(paths);
  });

  it('walks deep values without recursion', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nulCharacterPaths(deep)[0]).toHaveLength(200_000);
  });

  it('names paths as the validation pipe does, showing NUL as \\0', () => {
    expect(dottedPath(['items', 0, 'title'])).toBe('items.0.title');
    expect(dottedPath(['k\u0000'])).toBe('k\\0');
  });
});
