import { jsonDepthExceeds } from './json-body';

describe('jsonDepthExceeds', () => {
  it.each([
    ['{}', 1, false],
    ['{"a":[1,{"b":[]}]}', 4, false],
    ['{"a":[1,{"b":[]}]}', 3, true],
    ['"[[[[[[[["', 1, false], // brackets inside strings do not count
    ['["\\"[[[[", {}]', 2, false], // nor after an escaped quote
    ['[[]][[]]', 2, false], // siblings do not add up
  ])('%s with limit %i → %s', (text, limit, exceeds) => {
    expect(jsonDepthExceeds(text, limit)).toBe(exceeds);
  });

  it('answers for 100 000 levels without recursion', () => {
    expect(jsonDepthExceeds('['.repeat(100_000) + ']'.repeat(100_000), 64)).toBe(true);
  });
});
