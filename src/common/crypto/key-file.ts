// The key file used when DSR_ENCRYPTION_KEYS is unset (JSON, mode 0600): read, created with one key the
// first time, and given a new current key on rotation.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeyRingError } from './key-ring.errors';
import { decodeKey, KEY_BYTES, RingKey } from './ring-keys';

const KEY_FILE_FORMAT = 'attest-dsr-keys/1';

interface KeyFileContent {
  format: typeof KEY_FILE_FORMAT;
  keys: Array<{ id: string; key: string; createdAt: string }>;
}

function readKeyFileEntries(path: string): KeyFileContent['keys'] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new KeyRingError(
      'crypto.key_file_unusable',
      `the DSR key file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which holds keys: not repeated.
    throw new KeyRingError('crypto.key_file_unusable', `the DSR key file ${path} is not valid JSON`);
  }
  const content = parsed as Partial<KeyFileContent>;
  if (
    typeof content !== 'object' ||
    content === null ||
    content.format !== KEY_FILE_FORMAT ||
    !Array.isArray(content.keys) ||
    content.keys.length === 0
  ) {
    throw new KeyRingError(
      'crypto.key_file_unusable',
      `the DSR key file ${path} is not a ${KEY_FILE_FORMAT} file with at least one key`,
    );
  }
  return content.keys;
}

export function readKeyFile(path: string): RingKey[] {
  return readKeyFileEntries(path).map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.id !== 'string' || typeof entry.key !== 'string') {
      throw new KeyRingError('crypto.key_malformed', `${path}: key ${i + 1} needs an id and a key`);
    }
    return decodeKey(entry.id, entry.key, `${path}: key ${i + 1}`);
  });
}

/**
 * Written aside, then linked into place: never a half-written key file, and never two different keys
 * when the server and the CLI create one at the same moment (link fails for the one that lost).
 */
export function createKeyFile(path: string): void {
  const content: KeyFileContent = {
    format: KEY_FILE_FORMAT,
    keys: [{ id: 'k1', key: randomBytes(KEY_BYTES).toString('base64'), createdAt: new Date().toISOString() }],
  };
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(temp, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
    linkSync(temp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new KeyRingError(
        'crypto.key_file_unusable',
        `cannot create the DSR key file ${path} (${(e as Error).message})`,
      );
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Puts a new key first in the key file, keeping the others (KeyRing.rotateKeyFile()); written aside and renamed. */
export function addKeyToKeyFile(path: string, now: Date): void {
  const existing = readKeyFile(path);
  const used = new Set(existing.map((k) => k.id));
  let n = existing.length + 1;
  while (used.has(`k${n}`)) n++;
  const content: KeyFileContent = {
    format: KEY_FILE_FORMAT,
    keys: [
      { id: `k${n}`, key: randomBytes(KEY_BYTES).toString('base64'), createdAt: now.toISOString() },
      ...readKeyFileEntries(path),
    ],
  };
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
  try {
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}
