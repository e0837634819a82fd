import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KeyRing, KeyRingError, parseKeyList, STREAM_SEGMENT_BYTES } from './key-ring';

const key = () => randomBytes(32);
const entry = (id: string, k: Buffer) => `${id}:${k.toString('base64')}`;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof KeyRingError ? e.code : `not a KeyRingError: ${String(e)}`;
  }
  return undefined;
}

/** Feeds `input` in chunks of `chunkBytes` through `transform`; resolves with the output and the error, if any. */
async function run(
  transform: NodeJS.ReadWriteStream,
  input: Buffer,
  chunkBytes = 10_000,
): Promise<{ out: Buffer; error: Error | null }> {
  const parts: Buffer[] = [];
  const chunks = function* () {
    for (let i = 0; i < input.length; i += chunkBytes) yield input.subarray(i, i + chunkBytes);
  };
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      parts.push(chunk);
      cb();
    },
  });
  try {
    await pipeline(Readable.from(chunks()), transform, sink);
    return { out: Buffer.concat(parts), error: null };
  } catch (e) {
    return { out: Buffer.concat(parts), error: e as Error };
  }
}

describe('KeyRing text encryption', () => {
  const ring = new KeyRing([{ id: 'k1', key: key() }]);

  it.each(['', 'somchai@example.co.th', 'สมชาย ใจดี · 0812345678 · 🙂', 'x'.repeat(100_000)])(
    'round-trips %#',
    (plain) => {
      const token = ring.encryptText(plain);
      expect(token).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*$/);
      expect(ring.decryptText(token)).toBe(plain);
    },
  );

  it('uses a fresh IV: the same plaintext encrypts differently each time', () => {
    expect(ring.encryptText('same')).not.toBe(ring.encryptText('same'));
  });

  it('round-trips JSON', () => {
    const value = { email: 'a@b.co', phone: '66812345678', nested: [1, null, 'ก'] };
    expect(ring.decryptJson(ring.encryptJson(value, 'row-1'), 'row-1')).toEqual(value);
  });

  it('binds a value to its associated data: another row or column, or none, fails', () => {
    const token = ring.encryptText('secret', 'dsr_requests.subject_identity:row-1');
    expect(ring.decryptText(token, 'dsr_requests.subject_identity:row-1')).toBe('secret');
    expect(codeOf(() => ring.decryptText(token, 'dsr_requests.subject_identity:row-2'))).toBe(
      'crypto.integrity_failed',
    );
    expect(codeOf(() => ring.decryptText(token))).toBe('crypto.integrity_failed');
    expect(codeOf(() => ring.decryptText(ring.encryptText('secret'), 'row-1'))).toBe('crypto.integrity_failed');
  });

  it('detects a changed ciphertext, tag or IV', () => {
    const token = ring.encryptText('a fairly long secret value');
    const parts = token.split('.');
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[0] ^= 1;
      return b.toString('base64url');
    };
    for (const i of [2, 3, 4]) {
      const changed = [...parts];
      changed[i] = flip(changed[i]);
      expect(codeOf(() => ring.decryptText(changed.join('.')))).toBe('crypto.integrity_failed');
    }
    // Cut ciphertext.
    expect(codeOf(() => ring.decryptText(token.slice(0, -2)))).toBe('crypto.integrity_failed');
  });

  it('refuses what is not a ciphertext', () => {
    for (const bad of [
      '',
      'plain text',
      'v2.k1.a.b.c',
      'v1.k1.short.tag.ct',
      'v1.k 1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.',
      'v1.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.a.b',
    ]) {
      expect(codeOf(() => ring.decryptText(bad))).toBe('crypto.ciphertext_malformed');
    }
  });

  it('a different key under the same id fails integrity, not silently', () => {
    const other = new KeyRing([{ id: 'k1', key: key() }]);
    expect(codeOf(() => other.decryptText(ring.encryptText('x')))).toBe('crypto.integrity_failed');
  });
});

describe('KeyRing rotation', () => {
  const k1 = key();
  const k2 = key();
  const before = KeyRing.fromConfig({ keys: entry('k1', k1), keyFile: '/nonexistent/never-read.json' });
  const after = KeyRing.fromConfig({
    keys: `${entry('k2', k2)}, ${entry('k1', k1)}`,
    keyFile: '/nonexistent/never-read.json',
  });

  it('encrypts with the first key and still decrypts with the older ones', () => {
    const old = before.encryptText('made before the rotation', 'aad');
    const fresh = after.encryptText('made after the rotation', 'aad');
    expect(KeyRing.keyIdOf(old)).toBe('k1');
    expect(KeyRing.keyIdOf(fresh)).toBe('k2');
    expect(after.currentKeyId).toBe('k2');
    expect(after.keyIds).toEqual(['k2', 'k1']);
    expect(after.decryptText(old, 'aad')).toBe('made before the rotation');
    expect(after.isStale(old)).toBe(true);
    expect(after.isStale(fresh)).toBe(false);
  });

  it('names an unknown key id clearly', () => {
    const fresh = after.encryptText('x');
    let error: unknown;
    try {
      before.decryptText(fresh);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyRingError);
    expect((error as KeyRingError).code).toBe('crypto.key_unknown');
    expect((error as Error).message).toMatch(/made with key k2, which is not in the key ring \(k1\)/);
  });
});

describe('parseKeyList', () => {
  const good = key();

  it('reads id:base64 entries in order, standard or url-safe base64, padded or not', () => {
    const k = key();
    const keys = parseKeyList(` k2:${k.toString('base64url')} ,k1:${good.toString('base64')}`);
    expect(keys.map((x) => x.id)).toEqual(['k2', 'k1']);
    expect(keys[0].key.equals(k)).toBe(true);
    expect(keys[1].key.equals(good)).toBe(true);
  });

  it.each([
    ['', /no key given/],
    ['k1', /entry 1 is not id:base64key/],
    [`k1:${randomBytes(16).toString('base64')}`, /entry 1 \(k1\): the key must be 32 bytes \(got 16\)/],
    [`k1:${good.toString('base64')},k2:not*base64!`, /entry 2 \(k2\): the key is not base64/],
    [`k 1:${good.toString('base64')}`, /entry 1: the key id must be/],
    [`k1.a:${good.toString('base64')}`, /entry 1: the key id must be/],
  ])('refuses %j with a clear message', (spec, message) => {
    let error: unknown;
    try {
      parseKeyList(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyRingError);
    expect((error as KeyRingError).code).toBe('crypto.key_malformed');
    expect((error as Error).message).toMatch(message);
  });

  it('never repeats key material in a message', () => {
    const short = randomBytes(31).toString('base64');
    let message = '';
    try {
      parseKeyList(`k1:${short}`);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/got 31/);
    expect(message).not.toContain(short);
  });

  it('refuses a key id given twice', () => {
    expect(() => parseKeyList(`k1:${good.toString('base64')},k1:${key().toString('base64')}`)).toThrow(
      /entry 2: key id k1 is given twice/,
    );
    expect(
      () =>
        new KeyRing([
          { id: 'k1', key: good },
          { id: 'k1', key: key() },
        ]),
    ).toThrow(/key id k1 is given twice/);
  });
});

describe('KeyRing key file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'attest-keyring-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the key file (mode 0600) with one key when none is configured, and reuses it', () => {
    const keyFile = join(dir, 'keys', 'dsr-encryption.json');
    const first = KeyRing.fromConfig({ keyFile });
    expect(first.keyIds).toEqual(['k1']);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const content = JSON.parse(readFileSync(keyFile, 'utf8'));
    expect(content.format).toBe('attest-dsr-keys/1');
    expect(content.keys).toHaveLength(1);
    const again = KeyRing.fromConfig({ keyFile, keys: '  ' });
    expect(again.decryptText(first.encryptText('kept'))).toBe('kept');
  });

  it('does not read or create the file when keys are configured', () => {
    const keyFile = join(dir, 'dsr.json');
    KeyRing.fromConfig({ keyFile, keys: entry('k1', key()) });
    expect(existsSync(keyFile)).toBe(false);
  });

  it('refuses a missing file the operator named, instead of creating a new key', () => {
    const keyFile = join(dir, 'configured.json');
    expect(codeOf(() => KeyRing.fromConfig({ keyFile, createIfMissing: false }))).toBe('crypto.key_file_unusable');
    expect(existsSync(keyFile)).toBe(false);
  });

  it('rotates the key file: a new current key, the old ones still decrypt', () => {
    const keyFile = join(dir, 'dsr.json');
    const before = KeyRing.fromConfig({ keyFile });
    const old = before.encryptText('old');
    const after = KeyRing.rotateKeyFile(keyFile, new Date('2026-01-01T00:00:00Z'));
    expect(after.keyIds).toEqual(['k2', 'k1']);
    expect(KeyRing.fromConfig({ keyFile }).currentKeyId).toBe('k2');
    expect(after.decryptText(old)).toBe('old');
    expect(KeyRing.keyIdOf(after.encryptText('new'))).toBe('k2');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('reports a broken key file without quoting its content', () => {
    const keyFile = join(dir, 'dsr.json');
    writeFileSync(keyFile, '{"format":"attest-dsr-keys/1","keys":[{"id":"k1","key":"c2VjcmV0c2VjcmV0');
    let message = '';
    try {
      KeyRing.fromConfig({ keyFile });
    } catch (e) {
      message = (e as Error).message;
      expect((e as KeyRingError).code).toBe('crypto.key_file_unusable');
    }
    expect(message).toMatch(/is not valid JSON/);
    expect(message).not.toContain('c2VjcmV0');

    writeFileSync(
      keyFile,
      JSON.stringify({ format: 'attest-dsr-keys/1', keys: [{ id: 'k1', key: randomBytes(12).toString('base64') }] }),
    );
    expect(() => KeyRing.fromConfig({ keyFile })).toThrow(/key 1 \(k1\): the key must be 32 bytes \(got 12\)/);
    writeFileSync(keyFile, JSON.stringify({ keys: [] }));
    expect(codeOf(() => KeyRing.fromConfig({ keyFile }))).toBe('crypto.key_file_unusable');
  });
});

describe('KeyRing streams', () => {
  const k1 = key();
  const ring = new KeyRing([{ id: 'k1', key: k1 }]);
  const plain = randomBytes(3 * 1024 * 1024 + 12_345); // about 3 MB: 49 segments, the last one partial
  let sealed: Buffer;

  beforeAll(async () => {
    const { out, error } = await run(ring.encryptStream(), plain, 100_003);
    expect(error).toBeNull();
    sealed = out;
  });

  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('round-trips a few MB fed in odd chunk sizes', async () => {
    const segments = Math.ceil(plain.length / STREAM_SEGMENT_BYTES);
    expect(sealed.length).toBe(8 + 2 + 2 + 4 + 7 + plain.length + segments * 16);
    expect(sealed.subarray(0, 8).toString('ascii')).toBe('ATDSRENC');
    expect(sealed.includes(plain.subarray(0, 64))).toBe(false);
    for (const chunk of [1_000, 65_536 + 16, 1_000_000]) {
      const { out, error } = await run(ring.decryptStream(), sealed, chunk);
      expect(error).toBeNull();
      expect(sha(out)).toBe(sha(plain));
    }
  });

  it.each([0, 1, STREAM_SEGMENT_BYTES - 1, STREAM_SEGMENT_BYTES, STREAM_SEGMENT_BYTES + 1, 2 * STREAM_SEGMENT_BYTES])(
    'round-trips %i bytes (segment boundaries)',
    async (n) => {
      const input = randomBytes(n);
      const enc = await run(ring.encryptStream(), input, 7_777);
      const dec = await run(ring.decryptStream(), enc.out, 5_000);
      expect(dec.error).toBeNull();
      expect(dec.out.equals(input)).toBe(true);
    },
  );

  it('stops at a changed byte and never hands out the bad segment', async () => {
    const at = Math.floor(sealed.length / 2);
    const tampered = Buffer.from(sealed);
    tampered[at] ^= 0x40;
    const { out, error } = await run(ring.decryptStream(), tampered);
    expect(error).toBeInstanceOf(KeyRingError);
    expect((error as KeyRingError).code).toBe('crypto.integrity_failed');
    // What came out before the failure is an authentic prefix, ending before the changed segment.
    const headerBytes = 23;
    const badSegment = Math.floor((at - headerBytes) / (STREAM_SEGMENT_BYTES + 16));
    expect(out.length).toBe(badSegment * STREAM_SEGMENT_BYTES);
    expect(out.equals(plain.subarray(0, out.length))).toBe(true);
  });

  it('detects a changed tag of the last segment', async () => {
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    const { error } = await run(ring.decryptStream(), tampered);
    expect((error as KeyRingError).code).toBe('crypto.integrity_failed');
  });

  it('detects truncation, at a segment boundary or inside one, and appended bytes', async () => {
    const headerBytes = 23;
    const atBoundary = sealed.subarray(0, headerBytes + 3 * (STREAM_SEGMENT_BYTES + 16));
    for (const cut of [atBoundary, sealed.subarray(0, sealed.length - 100), sealed.subarray(0, headerBytes + 5)]) {
      const { error } = await run(ring.decryptStream(), cut);
      expect((error as KeyRingError).code).toBe('crypto.integrity_failed');
    }
    const extended = Buffer.concat([sealed, randomBytes(16)]);
    expect((await run(ring.decryptStream(), extended)).error).toBeInstanceOf(KeyRingError);
  });

  it('detects swapped segments', async () => {
    const headerBytes = 23;
    const s = STREAM_SEGMENT_BYTES + 16;
    const swapped = Buffer.concat([
      sealed.subarray(0, headerBytes),
      sealed.subarray(headerBytes + s, headerBytes + 2 * s),
      sealed.subarray(headerBytes, headerBytes + s),
      sealed.subarray(headerBytes + 2 * s),
    ]);
    const { out, error } = await run(ring.decryptStream(), swapped);
    expect((error as KeyRingError).code).toBe('crypto.integrity_failed');
    expect(out.length).toBe(0);
  });

  it("a key that is not the writer's: unknown id is named, same id with another key fails before any output", async () => {
    const stranger = new KeyRing([{ id: 'k9', key: key() }]);
    const unknown = await run(stranger.decryptStream(), sealed);
    expect((unknown.error as KeyRingError).code).toBe('crypto.key_unknown');
    expect(unknown.out.length).toBe(0);

    const impostor = new KeyRing([{ id: 'k1', key: key() }]);
    const wrong = await run(impostor.decryptStream(), sealed);
    expect((wrong.error as KeyRingError).code).toBe('crypto.integrity_failed');
    expect(wrong.out.length).toBe(0);
  });

  it('decrypts a stream made before a rotation with the rotated ring', async () => {
    const rotated = new KeyRing([
      { id: 'k2', key: key() },
      { id: 'k1', key: k1 },
    ]);
    const { out, error } = await run(rotated.decryptStream(), sealed);
    expect(error).toBeNull();
    expect(sha(out)).toBe(sha(plain));
  });

  it('refuses something that is not an encrypted file', async () => {
    const { error } = await run(ring.decryptStream(), Buffer.from('PK\u0003\u0004 a plain zip file, not encrypted'));
    expect((error as KeyRingError).code).toBe('crypto.ciphertext_malformed');
    const empty = await run(ring.decryptStream(), Buffer.alloc(0));
    expect((empty.error as KeyRingError).code).toBe('crypto.ciphertext_malformed');
  });
});
