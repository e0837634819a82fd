import { lineDiff } from './document-diff';

describe('lineDiff', () => {
  it('numbers the lines of each side', () => {
    const d = lineDiff('# A\nkeep\nold line\nend\n', '# A\nkeep\nnew line\nadded\nend\n');
    expect(d).toEqual({
      added: 2,
      removed: 1,
      hunks: [
        { kind: 'same', fromLine: 1, toLine: 1, lines: ['# A', 'keep'] },
        { kind: 'removed', fromLine: 3, toLine: null, lines: ['old line'] },
        { kind: 'added', fromLine: null, toLine: 3, lines: ['new line', 'added'] },
        { kind: 'same', fromLine: 4, toLine: 5, lines: ['end'] },
      ],
    });
  });

  it('is empty of changes for equal texts, and all added from nothing', () => {
    expect(lineDiff('a\nb\n', 'a\nb\n')).toEqual({
      added: 0,
      removed: 0,
      hunks: [{ kind: 'same', fromLine: 1, toLine: 1, lines: ['a', 'b'] }],
    });
    expect(lineDiff('', 'x\ny')).toMatchObject({ added: 2, removed: 0 });
  });
});
