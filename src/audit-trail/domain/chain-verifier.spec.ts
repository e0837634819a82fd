import fc from 'fast-check';
import { chainHash, GENESIS_HASH, JsonObject, nextEntry } from './audit-entry';
import { ChainProblem, ChainVerifier, CheckpointClaim, StoredEntry, VerifyResult } from './chain-verifier';
import type { AuditAction } from './audit-actions';

const T0 = Date.parse('2026-01-05T03:00:00.000Z');

function chain(n: number, data: (i: number) => JsonObject = (i) => ({ i })): StoredEntry[] {
  const rows: StoredEntry[] = [];
  for (let i = 0; i < n; i++) {
    const head = rows.length ? { seq: rows[rows.length - 1].seq, hash: rows[rows.length - 1].hash } : null;
    const e = nextEntry(
      head,
      {
        actor: `user:u${i % 3}`,
        action: 'thing.change' as AuditAction,
        subjectType: 'Thing',
        subjectId: `t${i}`,
        data: data(i),
      },
      new Date(T0 + i * 1000),
    );
    rows.push({ ...e.content, canonical: e.canonical, prevHash: e.prevHash, hash: e.hash });
  }
  return rows;
}

/** Rewrites entry `seq` with other content and recomputes every later hash: a consistent forged chain. */
function rewriteFrom(rows: StoredEntry[], seq: number): StoredEntry[] {
  const out = rows.map((r) => ({ ...r }));
  const i = seq - 1;
  out[i].canonical = out[i].canonical.replace(/"data":\{[^}]*\}/, '"data":{"forged":true}');
  for (let j = i; j < out.length; j++) {
    out[j].prevHash = j === 0 ? GENESIS_HASH : out[j - 1].hash;
    out[j].hash = chainHash(out[j].prevHash, out[j].canonical);
  }
  return out;
}

const claim = (rows: StoredEntry[], seq: number, label = `checkpoint-${seq}`): CheckpointClaim => ({
  seq,
  hash: rows[seq - 1].hash,
  label,
});

function verify(
  rows: StoredEntry[],
  options: ConstructorParameters<typeof ChainVerifier>[0] = {},
  batch = 7,
): VerifyResult {
  const v = new ChainVerifier(options);
  for (let i = 0; i < rows.length; i += batch) if (!v.add(rows.slice(i, i + batch))) break;
  return v.result();
}

const broken = (seq: number, reason: RegExp) =>
  expect.objectContaining({ ok: false, brokenAtSeq: seq, reason: expect.stringMatching(reason) });

describe('ChainVerifier on the chain alone', () => {
  it('accepts an intact chain, whatever the batch size', () => {
    const rows = chain(50);
    for (const batch of [1, 7, 50, 1000])
      expect(verify(rows, {}, batch)).toEqual({ ok: true, entries: 50, checkpoints: 0 });
  });

  it('accepts an empty log', () => {
    expect(verify([])).toEqual({ ok: true, entries: 0, checkpoints: 0 });
  });

  it('names an entry whose content was edited without rehashing', () => {
    const rows = chain(20);
    rows[11] = { ...rows[11], canonical: rows[11].canonical.replace('"i":11', '"i":99') };
    expect(verify(rows)).toEqual({
      ok: false,
      brokenAtSeq: 12,
      reason: 'its content does not match its hash: the entry was altered after it was written',
      entries: 11,
    });
  });

  it('names the entry after one that was edited and rehashed on its own', () => {
    const rows = chain(20);
    rows[4] = { ...rows[4], canonical: rows[4].canonical.replace('"i":4', '"i":5') };
    rows[4].hash = chainHash(rows[4].prevHash, rows[4].canonical);
    expect(verify(rows)).toEqual(broken(6, /prev_hash does not match the hash of entry 5/));
  });

  it('names the first missing seq when entries in the middle were deleted', () => {
    const rows = chain(20);
    expect(verify([...rows.slice(0, 9), ...rows.slice(10)])).toEqual({
      ok: false,
      brokenAtSeq: 10,
      reason: 'entry 10 is missing: the log jumps from entry 9 to entry 11 (deleted)',
      entries: 9,
    });
    expect(verify([...rows.slice(0, 9), ...rows.slice(13)])).toEqual(broken(10, /^entries 10 to 13 are missing/));
  });

  it('names entry 1 when the oldest entries were deleted', () => {
    expect(verify(chain(5).slice(2))).toEqual(broken(1, /^entries 1 to 2 are missing: the log starts at entry 3$/));
  });

  it('notices a first entry that does not start from the genesis hash', () => {
    const rows = chain(3);
    rows[0] = { ...rows[0], prevHash: '1'.repeat(64) };
    rows[0].hash = chainHash(rows[0].prevHash, rows[0].canonical);
    expect(verify(rows)).toEqual(broken(1, /genesis/));
  });

  it('notices reordered entries', () => {
    const rows = chain(10);
    const swapped = rows.map((r) => ({ ...r }));
    [swapped[3], swapped[4]] = [
      { ...rows[4], seq: 4 },
      { ...rows[3], seq: 5 },
    ];
    expect(verify(swapped)).toEqual(broken(4, /prev_hash does not match the hash of entry 3/));
  });

  it('notices a seq that appears twice', () => {
    const rows = chain(5);
    expect(verify([...rows.slice(0, 3), rows[2], ...rows.slice(3)])).toEqual(broken(3, /entry 3 appears again/));
  });

  it.each([
    ['actor', { actor: 'user:someone-else' }, 'actor'],
    ['action', { action: 'thing.delete' }, 'action'],
    ['subjectType', { subjectType: 'Other' }, 'subject_type'],
    ['subjectId', { subjectId: null }, 'subject_id'],
    ['at', { at: new Date(T0 - 1) }, 'at'],
  ])('notices an edited %s column that no longer matches the hashed content', (_name, change, column) => {
    const rows = chain(6);
    rows[2] = { ...rows[2], ...change };
    expect(verify(rows)).toEqual(broken(3, new RegExp(`^its ${column} column differs from its hashed content`)));
  });

  it('notices a row whose hashed seq is not its seq', () => {
    const rows = chain(6);
    rows[2] = { ...rows[2], canonical: rows[2].canonical.replace('"seq":3', '"seq":33') };
    for (let j = 2; j < rows.length; j++)
      rows[j] = { ...rows[j], prevHash: rows[j - 1].hash, hash: chainHash(rows[j - 1].hash, rows[j].canonical) };
    expect(verify(rows)).toEqual(broken(3, /^its seq column differs from its hashed content/));
  });

  it('notices hashed content that is not an entry', () => {
    const rows = chain(3);
    rows[1] = { ...rows[1], canonical: '{"hello":"world"}' };
    rows[1].hash = chainHash(rows[1].prevHash, rows[1].canonical);
    rows[2] = { ...rows[2], prevHash: rows[1].hash, hash: chainHash(rows[1].hash, rows[2].canonical) };
    expect(verify(rows)).toEqual(broken(2, /not an audit entry/));
  });

  it('cannot see, on its own, a rewrite whose later hashes were recomputed, nor removed newest entries', () => {
    expect(verify(rewriteFrom(chain(20), 7))).toEqual({ ok: true, entries: 20, checkpoints: 0 });
    expect(verify(chain(20).slice(0, 15))).toEqual({ ok: true, entries: 15, checkpoints: 0 });
  });

  it('stops taking rows after the first problem', () => {
    const rows = chain(10);
    rows[1] = { ...rows[1], canonical: rows[1].canonical + ' ' };
    const v = new ChainVerifier();
    expect(v.add(rows.slice(0, 5))).toBe(false);
    expect(v.wantsMore).toBe(false);
    expect(v.add(rows.slice(5))).toBe(false);
    expect(v.result()).toEqual(broken(2, /altered/));
  });

  it('can start after a trusted entry', () => {
    const rows = chain(30);
    expect(verify(rows.slice(20), { after: { seq: 20, hash: rows[19].hash } })).toEqual({
      ok: true,
      entries: 10,
      checkpoints: 0,
    });
    expect(verify(rows.slice(20), { after: { seq: 20, hash: rows[18].hash } })).toEqual(
      broken(21, /prev_hash does not match the hash of entry 20/),
    );
    expect(verify(rows.slice(21), { after: { seq: 20, hash: rows[19].hash } })).toEqual(
      broken(21, /entry 21 is missing/),
    );
  });
});

describe('ChainVerifier with signed checkpoints', () => {
  it('accepts a log that matches every checkpoint and counts them', () => {
    const rows = chain(40);
    expect(verify(rows, { checkpoints: [claim(rows, 10), claim(rows, 25), claim(rows, 40)] })).toEqual({
      ok: true,
      entries: 40,
      checkpoints: 3,
    });
  });

  it('detects removed newest entries through a checkpoint beyond the end of the log', () => {
    const rows = chain(40);
    const checkpoints = [claim(rows, 30), claim(rows, 40, 'checkpoint-40.txt')];
    expect(verify(rows.slice(0, 36), { checkpoints })).toEqual({
      ok: false,
      brokenAtSeq: 37,
      reason:
        'the log ends at entry 36, but checkpoint checkpoint-40.txt shows it had 40 entries: entries 37 to 40 were removed',
      entries: 36,
    });
    expect(verify(rows.slice(0, 39), { checkpoints })).toEqual(broken(40, /entry 40 was removed/));
    expect(verify([], { checkpoints })).toEqual(broken(1, /the log ends at entry 0/));
  });

  it('detects a rewrite with recomputed hashes at the first checkpoint it covers', () => {
    const rows = chain(40);
    const forged = rewriteFrom(rows, 17);
    const checkpoints = [claim(rows, 10, 'cp-10'), claim(rows, 20, 'cp-20'), claim(rows, 30, 'cp-30')];
    expect(verify(forged, { checkpoints })).toEqual({
      ok: false,
      brokenAtSeq: 20,
      reason:
        'its hash differs from the one in signed checkpoint cp-20: the log up to entry 20 was rewritten after entry 10 (which matches checkpoint cp-10), and the later hashes recomputed',
      entries: 19,
    });
    expect(verify(forged, { checkpoints: [claim(rows, 30, 'cp-30')] })).toEqual(
      broken(
        30,
        /^its hash differs from the one in signed checkpoint cp-30: the log up to entry 30 was rewritten, and/,
      ),
    );
  });

  it('cannot see a rewrite after the newest checkpoint (the next checkpoint would refuse to sign it)', () => {
    const rows = chain(40);
    expect(verify(rewriteFrom(rows, 35), { checkpoints: [claim(rows, 30)] })).toEqual({
      ok: true,
      entries: 40,
      checkpoints: 1,
    });
  });

  it('reports checkpoint files with bad signatures at their seq, lowest seq first', () => {
    const rows = chain(20);
    const knownProblems: ChainProblem[] = [
      { seq: 15, reason: 'checkpoint b is not signed by this log’s key' },
      { seq: 8, reason: 'checkpoint a has a signature that does not match its content' },
    ];
    expect(verify(rows, { knownProblems })).toEqual({
      ok: false,
      brokenAtSeq: 8,
      reason: 'checkpoint a has a signature that does not match its content',
      entries: 8,
    });
  });

  it('reports whichever comes first: a chain problem before a bad checkpoint, or the bad checkpoint before a chain problem', () => {
    const rows = chain(20);
    rows[4] = { ...rows[4], canonical: rows[4].canonical + ' ' };
    expect(verify(rows, { knownProblems: [{ seq: 12, reason: 'bad file' }] })).toEqual(broken(5, /altered/));
    expect(verify(rows, { knownProblems: [{ seq: 3, reason: 'bad file' }] })).toEqual(broken(3, /^bad file$/));
    expect(verify(rows, { knownProblems: [{ seq: 5, reason: 'bad file' }] })).toEqual(broken(5, /altered/));
  });
});

describe('ChainVerifier properties', () => {
  const json = fc.dictionary(
    fc.string({ maxLength: 6 }).filter((k) => !/pass|secret|token|key|cookie|session|otp|pin/i.test(k)),
    fc.oneof(
      fc.integer(),
      fc.string({ maxLength: 8 }).filter((v) => !v.includes('@')),
      fc.boolean(),
      fc.constant(null),
    ),
    { maxKeys: 4 },
  );

  it('never reports an untouched log as broken', () => {
    fc.assert(
      fc.property(fc.array(json, { minLength: 0, maxLength: 40 }), fc.integer({ min: 1, max: 50 }), (datas, batch) => {
        const rows = chain(datas.length, (i) => datas[i] as JsonObject);
        const checkpoints = rows.filter((_, i) => i % 7 === 6).map((r) => claim(rows, r.seq));
        expect(verify(rows, { checkpoints }, batch)).toEqual({
          ok: true,
          entries: rows.length,
          checkpoints: checkpoints.length,
        });
      }),
      { numRuns: 100 },
    );
  });

  it('always names the first tampered seq', () => {
    const mutation = fc.constantFrom('edit', 'delete', 'truncate', 'rewrite', 'column');
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 60 }),
        fc.nat(),
        mutation,
        fc.integer({ min: 1, max: 50 }),
        (n, at, kind, batch) => {
          const rows = chain(n);
          const k = (at % n) + 1; // the seq to tamper with
          let tampered = rows.map((r) => ({ ...r }));
          let expected = k;
          const checkpoints = [claim(rows, n)]; // the newest head was signed
          if (kind === 'edit') tampered[k - 1].canonical = tampered[k - 1].canonical.replace('"i":', '"i":1');
          if (kind === 'delete') tampered.splice(k - 1, 1);
          if (kind === 'truncate') tampered = tampered.slice(0, k - 1);
          if (kind === 'rewrite') {
            tampered = rewriteFrom(rows, k);
            expected = n; // seen at the checkpoint
          }
          if (kind === 'column') tampered[k - 1].actor = 'user:intruder';
          const result = verify(tampered, { checkpoints }, batch);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.brokenAtSeq).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
