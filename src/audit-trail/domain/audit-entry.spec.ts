import {
  assertValidEntry,
  AuditEntryInput,
  canonicalEntry,
  chainHash,
  chainHasher,
  GENESIS_HASH,
  InvalidAuditEntryError,
  MAX_CANONICAL_BYTES,
  nextEntries,
  nextEntry,
  parseCanonicalEntry,
  toJsonObject,
} from './audit-entry';
import fc from 'fast-check';
import type { AuditAction } from './audit-actions';

const AT = new Date('2026-01-05T03:00:00.000Z');
const entry = (over: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  actor: 'user:7d1c',
  action: 'user.create',
  subjectType: 'User',
  subjectId: '42',
  ...over,
});

// Reference values computed outside Node (Python hashlib over the same bytes).
const FIRST_CANONICAL =
  '{"action":"user.create","actor":"user:7d1c","at":"2026-01-05T03:00:00.000Z","data":{"department":null,"role":"auditor"},"seq":1,"subjectId":"42","subjectType":"User"}';
const FIRST_HASH = '99c8b9476aaed6c7c3f8b6ec28879fde499f8cbee895828c484bc73c7efef00e';
const SECOND_HASH = '08867ac33dbaef89ab278696aeb8742fc045033cfea9acfcd5b08e38d170620d';

describe('canonicalEntry (RFC 8785)', () => {
  it('sorts keys at every level and has no whitespace', () => {
    const text = canonicalEntry({
      seq: 1,
      at: AT,
      actor: 'user:7d1c',
      action: 'user.create',
      subjectType: 'User',
      subjectId: '42',
      data: { role: 'auditor', department: null },
    });
    expect(text).toBe(FIRST_CANONICAL);
  });

  it('does not depend on the order keys were given in', () => {
    const a = canonicalEntry({
      seq: 3,
      at: AT,
      actor: 'anonymous',
      action: 'a.b',
      subjectType: 'X',
      subjectId: null,
      data: { z: 1, a: { y: [3, 1], b: true } },
    });
    const b = canonicalEntry({
      data: { a: { b: true, y: [3, 1] }, z: 1 },
      subjectId: null,
      subjectType: 'X',
      action: 'a.b',
      actor: 'anonymous',
      at: AT,
      seq: 3,
    });
    expect(a).toBe(b);
    expect(a).toContain('"data":{"a":{"b":true,"y":[3,1]},"z":1}');
  });

  it.each([
    [{ n: 1e21 }, '{"n":1e+21}'],
    [{ n: 0.1 }, '{"n":0.1}'],
    [{ n: -0 }, '{"n":0}'],
    [{ n: 1.5e-7 }, '{"n":1.5e-7}'],
    [{ s: 'café สวัสดี' }, '{"s":"café สวัสดี"}'],
    [{ s: '\u0001\n"\\' }, '{"s":"\\u0001\\n\\"\\\\"}'],
    [{ '\u00e9': 1, e: 2, E: 3 }, '{"E":3,"e":2,"é":1}'],
  ])('serialises %p as RFC 8785 does', (data, expected) => {
    expect(
      canonicalEntry({ seq: 1, at: AT, actor: 'anonymous', action: 'a.b', subjectType: 'X', subjectId: null, data }),
    ).toContain(`"data":${expected}`);
  });

  it('keeps a null subjectId and milliseconds of the time', () => {
    const text = canonicalEntry({
      seq: 9,
      at: new Date('2026-01-05T03:00:00.123Z'),
      actor: 'system:cli',
      action: 'a.b',
      subjectType: 'X',
      subjectId: null,
      data: {},
    });
    expect(text).toBe(
      '{"action":"a.b","actor":"system:cli","at":"2026-01-05T03:00:00.123Z","data":{},"seq":9,"subjectId":null,"subjectType":"X"}',
    );
  });

  it('refuses a bad seq, an invalid time and an oversized entry', () => {
    const base = { at: AT, actor: 'anonymous', action: 'a.b', subjectType: 'X', subjectId: null, data: {} };
    expect(() => canonicalEntry({ ...base, seq: 0 })).toThrow(InvalidAuditEntryError);
    expect(() => canonicalEntry({ ...base, seq: 1.5 })).toThrow(InvalidAuditEntryError);
    expect(() => canonicalEntry({ ...base, seq: 1, at: new Date('nope') })).toThrow('at is not a valid time');
    expect(() => canonicalEntry({ ...base, seq: 1, data: { big: 'x'.repeat(MAX_CANONICAL_BYTES) } })).toThrow(
      /larger than/,
    );
  });
});

describe('parseCanonicalEntry', () => {
  it('reads back what canonicalEntry wrote', () => {
    expect(parseCanonicalEntry(FIRST_CANONICAL)).toEqual({
      seq: 1,
      at: '2026-01-05T03:00:00.000Z',
      actor: 'user:7d1c',
      action: 'user.create',
      subjectType: 'User',
      subjectId: '42',
      data: { department: null, role: 'auditor' },
    });
  });

  it.each([
    'not json',
    '[]',
    '{}',
    '{"seq":"1","at":"x","actor":"a","action":"b","subjectType":"c","subjectId":null,"data":{}}',
    FIRST_CANONICAL.replace('"data":{', '"data":[').replace('"role":"auditor"}', '"auditor"]'),
  ])('returns null for %s', (text) => expect(parseCanonicalEntry(text)).toBeNull());
});

describe('chainHash', () => {
  it('is SHA-256 of the previous hash as 32 bytes followed by the canonical UTF-8 bytes', () => {
    expect(chainHash(GENESIS_HASH, FIRST_CANONICAL)).toBe(FIRST_HASH);
    const second = canonicalEntry({
      seq: 2,
      at: new Date('2026-01-05T03:00:01.000Z'),
      actor: 'user:7d1c',
      action: 'auth.login',
      subjectType: 'Session',
      subjectId: null,
      data: { note: 'café สวัสดี' },
    });
    expect(chainHash(FIRST_HASH, second)).toBe(SECOND_HASH);
  });

  it('changes with any byte of the content or of the previous hash', () => {
    expect(chainHash(GENESIS_HASH, FIRST_CANONICAL.replace('auditor', 'Auditor'))).not.toBe(FIRST_HASH);
    expect(chainHash('1'.repeat(64), FIRST_CANONICAL)).not.toBe(FIRST_HASH);
  });

  it('refuses a previous hash that is not 64 lower-case hex digits', () => {
    expect(() => chainHash('abc', '{}')).toThrow(InvalidAuditEntryError);
    expect(() => chainHash('A'.repeat(64), '{}')).toThrow(InvalidAuditEntryError);
  });
});

describe('chainHasher', () => {
  it('gives chainHash() for a walk along a chain, whatever the text (non-ASCII, longer than its buffer)', () => {
    const next = chainHasher();
    expect(next(GENESIS_HASH, FIRST_CANONICAL)).toBe(FIRST_HASH);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ minLength: 30000 })), { minLength: 1 }),
        (texts) => {
          const walk = chainHasher();
          let prev = GENESIS_HASH;
          for (const text of texts) {
            const expected = chainHash(prev, text);
            expect(walk(prev, text)).toBe(expected);
            prev = expected;
          }
        },
      ),
      { numRuns: 50 },
    );
    const big = 'ก'.repeat(70000); // 210,000 UTF-8 bytes
    expect(chainHasher()(FIRST_HASH, big)).toBe(chainHash(FIRST_HASH, big));
  });

  it('refuses a previous hash that is not 64 lower-case hex digits, and hashes a stored one it did not compute', () => {
    const walk = chainHasher();
    expect(() => walk('A'.repeat(64), '{}')).toThrow(InvalidAuditEntryError);
    expect(walk('1'.repeat(64), '{}')).toBe(chainHash('1'.repeat(64), '{}'));
    expect(() => walk('abc', '{}')).toThrow(InvalidAuditEntryError);
  });
});

describe('nextEntry', () => {
  it('starts the chain at seq 1 from the genesis hash', () => {
    const next = nextEntry(null, entry({ data: { role: 'auditor', department: null } }), AT);
    expect(next).toEqual({
      content: {
        seq: 1,
        at: AT,
        actor: 'user:7d1c',
        action: 'user.create',
        subjectType: 'User',
        subjectId: '42',
        data: { role: 'auditor', department: null },
      },
      canonical: FIRST_CANONICAL,
      prevHash: GENESIS_HASH,
      hash: FIRST_HASH,
    });
  });

  it('continues from the head', () => {
    const next = nextEntry({ seq: 41, hash: FIRST_HASH }, entry({ subjectId: undefined }), AT);
    expect(next.content.seq).toBe(42);
    expect(next.content.subjectId).toBeNull();
    expect(next.content.data).toEqual({});
    expect(next.prevHash).toBe(FIRST_HASH);
    expect(next.hash).toBe(chainHash(FIRST_HASH, next.canonical));
  });
});

describe('nextEntries (a batch append)', () => {
  /** nextEntry() applied one entry after the other: what appending them one by one stores. */
  const oneByOne = (head: { seq: number; hash: string } | null, inputs: AuditEntryInput[]) =>
    inputs.map((input) => {
      const next = nextEntry(head, input, AT);
      head = { seq: next.content.seq, hash: next.hash };
      return next;
    });

  it('starts the chain like nextEntry(): the same first entry, then each linked to the one before', () => {
    const batch = nextEntries(null, [entry({ data: { role: 'auditor', department: null } }), entry()], AT);
    expect(batch[0]).toEqual(nextEntry(null, entry({ data: { role: 'auditor', department: null } }), AT));
    expect(batch[0].hash).toBe(FIRST_HASH);
    expect(batch[1].prevHash).toBe(FIRST_HASH);
    expect(batch[1].content.seq).toBe(2);
  });

  it('is exactly nextEntry() one by one, whatever the entries and the head (quotes, escapes, non-ASCII)', () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('"', '\\', '\n', 'ก', '😀'));
    const input = fc.record({
      subjectId: fc.option(
        text.filter((t) => t.length > 0 && t.length <= 200 && !/@/.test(t)),
        { nil: undefined },
      ),
      data: fc.dictionary(
        fc.constantFrom('key', 'version', 'title', 'changed', 'n'),
        fc.oneof(
          text.filter((t) => !/@/.test(t)),
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
          fc.array(
            text.filter((t) => !/@/.test(t)),
            { maxLength: 3 },
          ),
        ),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(input, { maxLength: 12 }),
        fc.option(fc.record({ seq: fc.integer({ min: 1, max: 1e9 }), hash: fc.constant(FIRST_HASH) }), { nil: null }),
        (inputs, head) => {
          const entries = inputs.map((i) => entry({ subjectId: i.subjectId ?? null, data: i.data }));
          expect(nextEntries(head, entries, AT)).toEqual(oneByOne(head, entries));
        },
      ),
    );
  });

  it('refuses the batch when one entry must not be recorded', () => {
    expect(() => nextEntries(null, [entry(), entry({ data: { token: 'x' } })], AT)).toThrow(InvalidAuditEntryError);
    expect(nextEntries(null, [], AT)).toEqual([]);
  });
});

describe('assertValidEntry', () => {
  it.each([
    [entry()],
    [entry({ actor: 'anonymous', subjectId: null })],
    [entry({ actor: 'system:job:weekly-sweep', action: 'sweep.open', subjectType: 'Sweep' })],
    [
      entry({
        action: 'api_token.create',
        data: { userId: 'u1', tokenId: 't1', expiresAt: '2026-02-01T00:00:00.000Z' },
      }),
    ],
    [
      entry({
        action: 'user.update',
        data: { changed: { role: { from: 'viewer', to: 'auditor' }, active: { from: true, to: false } } },
      }),
    ],
    [entry({ action: 'department.sync', data: { changed: ['quality', 'privacy'], count: 2 } })],
  ])('accepts %p', (e) => expect(() => assertValidEntry(e)).not.toThrow());

  it.each([
    [entry({ actor: 'alice@example.com' }), /actor .* is not a pseudonymous reference/],
    [entry({ actor: 'Alice Smith' }), /not a pseudonymous reference/],
    // Not in AUDIT_ACTIONS (the type refuses them): the run-time check must refuse them too.
    [entry({ action: 'login' as AuditAction }), /area\.verb/],
    [entry({ action: 'User.Create' as AuditAction }), /area\.verb/],
    [entry({ subjectType: '' }), /subjectType/],
    [entry({ subjectId: '' }), /subjectId/],
    [entry({ subjectId: 'x'.repeat(201) }), /subjectId/],
    [entry({ data: { password: 'hunter2' } }), /data\.password looks like a secret/],
    [entry({ data: { nested: { api_key: 'k' } } }), /data\.nested\.api_key looks like a secret/],
    [entry({ data: { list: [{ Access_Token: 't' }] } }), /data\.list\[0\]\.Access_Token looks like a secret/],
    [entry({ data: { newPasswordHash: 'x' } }), /looks like a secret/],
    [entry({ data: { clientSecret: 'x' } }), /looks like a secret/],
    [entry({ data: { cookie: 'sid=1' } }), /looks like a secret/],
    [entry({ data: { email: 'alice@example.com' } }), /data\.email looks like an e-mail address/],
    [entry({ data: { to: ['bob@example.org'] } }), /data\.to\[0\] looks like an e-mail address/],
    [entry({ data: { n: Number.NaN } }), /not a finite number/],
    [entry({ data: { n: Infinity } }), /not a finite number/],
    [entry({ data: { when: new Date() as unknown as string } }), /not JSON data/],
    [entry({ data: { gone: undefined as unknown as string } }), /undefined/],
    [entry({ data: [] as unknown as Record<string, never> }), /data must be a plain object/],
  ])('refuses %p', (e, message) => {
    expect(() => assertValidEntry(e)).toThrow(InvalidAuditEntryError);
    expect(() => assertValidEntry(e)).toThrow(message);
  });
});

describe('toJsonObject', () => {
  interface Report {
    id: string;
    counts: { rows: number; retained?: boolean }[];
    note: string | null;
    optional?: string;
  }

  it('takes an interface whose values are all JSON, as the same object', () => {
    const report: Report = { id: 'd-1', counts: [{ rows: 2 }], note: null };
    expect(toJsonObject(report)).toBe(report);
  });

  it('does not compile with a Date, a Buffer or a function inside (checked by tsc in npm test)', () => {
    const at = new Date(0);
    // @ts-expect-error: a Date is not JSON (it would be written as whatever toJSON says)
    const withDate = toJsonObject({ at });
    // @ts-expect-error: nor is a Buffer
    const withBuffer = toJsonObject({ nested: { bytes: Buffer.from('x') } });
    // @ts-expect-error: nor a function
    const withFunction = toJsonObject({ run: () => 1 });
    expect([withDate.at, typeof withBuffer.nested, typeof withFunction.run]).toEqual([at, 'object', 'function']);
  });
});
