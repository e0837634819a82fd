// Verification of the hash chain, fed batch by batch in seq order, plus the checks against signed
// checkpoints (which catch what the chain alone cannot: removed newest entries, and a rewrite whose
// later hashes were all recomputed). Pure: the caller reads rows and checkpoint files.
import { hash } from 'node:crypto';
import { GENESIS_HASH, InvalidAuditEntryError, parseCanonicalEntry, type ParsedEntryContent } from './audit-entry';
import { ENTRY_FIELD, EntryBytes, entryBytes, fieldText, isHexOf, type StoredEntry, utf8Equals } from './entry-bytes';

export type { StoredEntry } from './entry-bytes';

/** A signed statement "the log had `seq` entries and entry `seq` had hash `hash`" (signature already checked). */
export interface CheckpointClaim {
  seq: number;
  hash: string;
  /** How to name it in a report, e.g. the file name and signing time. */
  label: string;
  /** When it was signed, when the file says. */
  at?: Date | null;
}

/** A problem found at a seq (also used for checkpoint files that failed their signature check). */
export interface ChainProblem {
  seq: number;
  reason: string;
}

export type VerifyResult =
  | { ok: true; entries: number; checkpoints: number }
  | { ok: false; brokenAtSeq: number; reason: string; entries: number };

export interface ChainVerifierOptions {
  /** Checkpoints whose signatures are valid. */
  checkpoints?: CheckpointClaim[];
  /** Problems already known at a seq (checkpoint files with a bad signature); the lowest seq is reported. */
  knownProblems?: ChainProblem[];
  /** Start after a trusted entry instead of at the genesis (checks only the entries after it). */
  after?: { seq: number; hash: string };
}

export class ChainVerifier {
  private expectedSeq: number;
  /** The previous entry's hash (its 32 bytes as latin1 text): the next entry's prev_hash must be its hex. */
  private prevHash: string;
  /** prevHash's 32 bytes followed by the canonical bytes of the entry being hashed. */
  private hashInput = Buffer.alloc(32 + 64 * 1024);
  private verified = 0;
  private problem: ChainProblem | null = null;
  private readonly claims = new Map<number, CheckpointClaim[]>();
  private readonly claimCount: number;
  private readonly firstKnownProblem: ChainProblem | null;
  /** The newest checkpoint that matched so far: a rewrite found later happened after it. */
  private lastMatched: CheckpointClaim | null = null;

  constructor(options: ChainVerifierOptions = {}) {
    this.expectedSeq = options.after ? options.after.seq + 1 : 1;
    const prevHash = options.after ? options.after.hash : GENESIS_HASH;
    if (!/^[0-9a-f]{64}$/.test(prevHash)) throw new InvalidAuditEntryError('prevHash must be 64 lower-case hex digits');
    this.prevHash = Buffer.from(prevHash, 'hex').toString('latin1');
    this.hashInput.write(this.prevHash, 0, 'latin1');
    for (const c of options.checkpoints ?? []) {
      const list = this.claims.get(c.seq) ?? [];
      list.push(c);
      this.claims.set(c.seq, list);
    }
    this.claimCount = options.checkpoints?.length ?? 0;
    const known = [...(options.knownProblems ?? [])].sort((a, b) => a.seq - b.seq);
    this.firstKnownProblem = known[0] ?? null;
  }

  /** False once the outcome is decided: a problem was found, or the walk passed a known problem. */
  get wantsMore(): boolean {
    if (this.problem) return false;
    return !this.firstKnownProblem || this.expectedSeq <= this.firstKnownProblem.seq;
  }

  /** The seq of the last entry checked (0 before any). */
  get lastSeq(): number {
    return this.expectedSeq - 1;
  }

  /** Checks the next entries (ascending seq, continuing where the previous batch ended). */
  add(rows: readonly StoredEntry[]): boolean {
    for (const row of rows) if (!this.addBytes(entryBytes(row))) return false;
    return this.wantsMore;
  }

  /** Checks the next entry, as the bytes it is stored as; false once the outcome is decided. */
  addBytes(entry: EntryBytes): boolean {
    if (!this.wantsMore) return false;
    const reason = this.check(entry);
    if (reason) {
      this.problem = { seq: Math.min(entry.seq, this.expectedSeq), reason };
      return false;
    }
    this.expectedSeq = entry.seq + 1;
    this.verified++;
    return this.wantsMore;
  }

  /** The outcome, once every row has been added (the log ends at the last row added). */
  result(): VerifyResult {
    const found: ChainProblem[] = [];
    // (When the walk stopped early at a known problem, head + 1 is past it, so the known problem wins below.)
    if (this.problem) found.push(this.problem);
    else {
      const head = this.expectedSeq - 1;
      const beyond = [...this.claims.keys()].filter((seq) => seq > head).sort((a, b) => b - a)[0];
      if (beyond !== undefined) {
        const claim = this.claims.get(beyond)![0];
        const removed = head + 1 === beyond ? `entry ${beyond} was` : `entries ${head + 1} to ${beyond} were`;
        found.push({
          seq: head + 1,
          reason: `the log ends at entry ${head}, but checkpoint ${claim.label} shows it had ${beyond} entries: ${removed} removed`,
        });
      }
    }
    // A checkpoint problem at a lower seq than the chain problem comes first; on a tie, the chain's own finding.
    if (this.firstKnownProblem && (found.length === 0 || this.firstKnownProblem.seq < found[0].seq))
      found.unshift(this.firstKnownProblem);
    if (found.length > 0)
      return { ok: false, brokenAtSeq: found[0].seq, reason: found[0].reason, entries: this.verified };
    return { ok: true, entries: this.verified, checkpoints: this.claimCount };
  }

  private check(e: EntryBytes): string | null {
    const seq = this.expectedSeq;
    if (e.seq > seq) {
      const missing = e.seq - seq === 1 ? `entry ${seq} is missing` : `entries ${seq} to ${e.seq - 1} are missing`;
      return seq === 1
        ? `${missing}: the log starts at entry ${e.seq}`
        : `${missing}: the log jumps from entry ${seq - 1} to entry ${e.seq} (deleted)`;
    }
    if (e.seq < seq) return `entry ${e.seq} appears again after entry ${seq - 1}`;
    if (!isHexOf(e.buf, e.starts[ENTRY_FIELD.prevHash], e.ends[ENTRY_FIELD.prevHash], this.prevHash)) {
      return seq === 1
        ? 'its prev_hash is not the genesis hash (64 zeros)'
        : `its prev_hash does not match the hash of entry ${seq - 1} (entries before it were removed, replaced or reordered)`;
    }
    const digest = this.hashOf(e);
    if (!digest || !isHexOf(e.buf, e.starts[ENTRY_FIELD.hash], e.ends[ENTRY_FIELD.hash], digest))
      return 'its content does not match its hash: the entry was altered after it was written';
    const content = parseCanonicalEntry(fieldText(e, ENTRY_FIELD.canonical)!);
    if (!content) return 'its hashed content is not an audit entry';
    const mismatch = columnMismatch(e, content);
    if (mismatch) return `its ${mismatch} column differs from its hashed content: the column was edited`;
    const reason = this.checkClaims(e.seq, digest);
    // The next entry's prev_hash: this entry's hash (its stored hex is this digest).
    this.prevHash = digest;
    for (let i = 0; i < 32; i++) this.hashInput[i] = digest.charCodeAt(i);
    return reason;
  }

  /** SHA-256(previous hash as 32 bytes ‖ canonical bytes), the chain hash (chainHash()); null when canonical is NULL. */
  private hashOf(e: EntryBytes): string | null {
    const start = e.starts[ENTRY_FIELD.canonical];
    if (start < 0) return null;
    const length = e.ends[ENTRY_FIELD.canonical] - start;
    if (32 + length > this.hashInput.length) {
      const grown = Buffer.alloc(32 + length);
      grown.set(this.hashInput.subarray(0, 32));
      this.hashInput = grown;
    }
    this.hashInput.set(e.buf.subarray(start, start + length), 32);
    // As 'binary' (latin1) text, a byte per character: cheaper to return than a Buffer, and compared without allocating.
    return hash('sha256', this.hashInput.subarray(0, 32 + length), 'binary');
  }

  private checkClaims(seq: number, digest: string): string | null {
    for (const claim of this.claims.get(seq) ?? []) {
      if (claim.hash !== Buffer.from(digest, 'latin1').toString('hex')) {
        const since = this.lastMatched
          ? ` after entry ${this.lastMatched.seq} (which matches checkpoint ${this.lastMatched.label})`
          : '';
        return `its hash differs from the one in signed checkpoint ${claim.label}: the log up to entry ${seq} was rewritten${since}, and the later hashes recomputed`;
      }
      this.lastMatched = claim;
    }
    return null;
  }
}

function columnMismatch(e: EntryBytes, content: ParsedEntryContent): string | null {
  if (content.seq !== e.seq) return 'seq';
  const { buf, starts, ends } = e;
  if (!utf8Equals(buf, starts[ENTRY_FIELD.at], ends[ENTRY_FIELD.at], content.at)) return 'at';
  if (!utf8Equals(buf, starts[ENTRY_FIELD.actor], ends[ENTRY_FIELD.actor], content.actor)) return 'actor';
  if (!utf8Equals(buf, starts[ENTRY_FIELD.action], ends[ENTRY_FIELD.action], content.action)) return 'action';
  if (!utf8Equals(buf, starts[ENTRY_FIELD.subjectType], ends[ENTRY_FIELD.subjectType], content.subjectType))
    return 'subject_type';
  const subjectId = content.subjectId;
  if (
    subjectId === null
      ? starts[ENTRY_FIELD.subjectId] >= 0
      : !utf8Equals(buf, starts[ENTRY_FIELD.subjectId], ends[ENTRY_FIELD.subjectId], subjectId)
  )
    return 'subject_id';
  return null;
}
