// The vocabulary of evidence. Pure: no Nest, no TypeORM.

export const EVIDENCE_KINDS = ['file', 'link', 'attestation', 'snapshot'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** Where an item came from: a person's upload, a pipeline with an API token, a collector, an attestation. */
export const SOURCE_PATTERN = /^(upload|api|attestation|collector:[a-z0-9][a-z0-9-]{0,62})$/;
export const SOURCE_CHECK = `"source" ~ '^(upload|api|attestation|collector:[a-z0-9][a-z0-9-]{0,62})$'`;

/** Blobs are stored in chunks of this size (the last one shorter). */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

export const CONTROL_KEY = /^[A-Z]{2,5}-\d{2,3}$/;
export const MAX_CONTROLS_PER_ITEM = 50;
export const MAX_FILES_PER_ITEM = 20;

/**
 * Control keys from a form: repeated fields and/or comma-separated values, trimmed, de-duplicated, in
 * the order given.
 */
export function splitControlKeys(values: string[]): string[] {
  const keys = values
    .flatMap((v) => v.split(','))
    .map((k) => k.trim())
    .filter((k) => k !== '');
  return [...new Set(keys)];
}

/** The source recorded for an item a person or pipeline submits through the API. */
export function sourceFor(kind: EvidenceKind, via: 'session' | 'token'): string {
  if (kind === 'attestation') return 'attestation';
  return via === 'token' ? 'api' : 'upload';
}

/** A user id out of an audit actor reference (`user:<uuid>`), or null for the system. */
export function userIdOf(actorRef: string): string | null {
  const m = /^user:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(actorRef);
  return m ? m[1].toLowerCase() : null;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when a JSON value nests deeper than `max` (checked without recursion: hostile input cannot blow the stack). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A title from the start of a text, at most `max` characters, cut at a word where possible. */
export function titleFrom(prefix: string, text: string, max = 200): string {
  const whole = `${prefix}${text.replace(/\s+/g, ' ').trim()}`;
  if ([...whole].length <= max) return whole;
  const cut = [...whole].slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}
