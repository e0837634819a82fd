// A readable line diff between two versions' Markdown: runs of unchanged, added and removed lines, with
// the line numbers of each side. Pure (the `diff` package computes the Myers diff).
import { diffLines } from 'diff';

export interface DiffHunk {
  kind: 'same' | 'added' | 'removed';
  /** First line of the run in the older text (1-based); null for added lines. */
  fromLine: number | null;
  /** First line of the run in the newer text (1-based); null for removed lines. */
  toLine: number | null;
  lines: string[];
}

export interface LineDiff {
  added: number;
  removed: number;
  hunks: DiffHunk[];
}

function splitLines(value: string): string[] {
  const lines = value.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The line diff from `from` to `to`. */
export function lineDiff(from: string, to: string): LineDiff {
  let a = 1;
  let b = 1;
  let added = 0;
  let removed = 0;
  const hunks: DiffHunk[] = [];
  for (const change of diffLines(from, to)) {
    const lines = splitLines(change.value);
    if (change.added) {
      hunks.push({ kind: 'added', fromLine: null, toLine: b, lines });
      b += lines.length;
      added += lines.length;
    } else if (change.removed) {
      hunks.push({ kind: 'removed', fromLine: a, toLine: null, lines });
      a += lines.length;
      removed += lines.length;
    } else {
      hunks.push({ kind: 'same', fromLine: a, toLine: b, lines });
      a += lines.length;
      b += lines.length;
    }
  }
  return { added, removed, hunks };
}
