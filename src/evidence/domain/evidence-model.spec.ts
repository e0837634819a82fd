import { nestsDeeperThan, SOURCE_PATTERN, sourceFor, splitControlKeys, titleFrom, userIdOf } from './evidence-model';

describe('evidence vocabulary', () => {
  it('splits control keys given repeated and/or comma-separated, without blanks or repeats', () => {
    expect(splitControlKeys(['ACC-02, ACC-03', 'ENG-01', ' ACC-02 ', ',,'])).toEqual(['ACC-02', 'ACC-03', 'ENG-01']);
    expect(splitControlKeys([])).toEqual([]);
  });

  it('records the source from the kind and how the request authenticated', () => {
    expect(sourceFor('file', 'session')).toBe('upload');
    expect(sourceFor('file', 'token')).toBe('api');
    expect(sourceFor('snapshot', 'token')).toBe('api');
    expect(sourceFor('attestation', 'token')).toBe('attestation');
  });

  it('knows the sources', () => {
    for (const ok of ['upload', 'api', 'attestation', 'collector:access-review'])
      expect(SOURCE_PATTERN.test(ok)).toBe(true);
    for (const bad of ['collector:', 'collector:Access', 'cli', 'upload ', 'collector:a b'])
      expect(SOURCE_PATTERN.test(bad)).toBe(false);
  });

  it('finds the user id in an actor reference, and none for the system', () => {
    expect(userIdOf('user:0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(userIdOf('system:job:weekly-sweep')).toBeNull();
    expect(userIdOf('user:not-a-uuid')).toBeNull();
  });

  it('measures JSON nesting without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nestsDeeperThan(deep, 64)).toBe(true);
    expect(nestsDeeperThan({ a: { b: [1, { c: null }] } }, 4)).toBe(false);
    expect(nestsDeeperThan({ a: { b: [1, { c: {} }] } }, 4)).toBe(true);
  });

  it('titles a statement, cut at a word', () => {
    expect(titleFrom('Attestation: ', 'No change\nthis week.')).toBe('Attestation: No change this week.');
    const t = titleFrom('Attestation: ', 'word '.repeat(100), 40);
    expect([...t].length).toBeLessThanOrEqual(40);
    expect(t.endsWith('word…')).toBe(true);
  });
});
