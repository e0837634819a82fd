import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuditLogRepository } from './audit-log.repository';
import { CheckpointInconsistentError, SigningKeyUnavailableError } from './audit-trail.errors';
import { CheckpointFile, CheckpointStore } from './checkpoint.store';
import { ChainProblem, ChainVerifier, CheckpointClaim } from './domain/chain-verifier';
import {
  CHECKPOINT_KEY_NAME,
  CHECKPOINT_ORIGIN,
  CheckpointFormatError,
  checkpointBody,
  checkSignature,
  keyId,
  parseCheckpoint,
  signCheckpoint,
} from './domain/checkpoint';
import { SigningKey, SigningKeyStore } from './signing-key.store';

/** Checkpoint files read back: the ones with a valid signature, and what is wrong with the others. */
export interface LoadedCheckpoints {
  claims: CheckpointClaim[];
  problems: ChainProblem[];
}

export type CheckpointOutcome =
  | { written: true; seq: number; hash: string; file: string; exportedTo: string | null }
  | { written: false; reason: 'empty' }
  | { written: false; reason: 'unchanged'; seq: number; hash: string; file: string };

/** Entries per COPY when walking the chain before signing. */
export const VERIFY_BATCH_SIZE = 5000;

/**
 * Signed checkpoints: the head (seq + hash) signed with the Ed25519 key (AUDIT_SIGNING_KEY, the same on
 * every instance), stored in audit_checkpoints so every instance verifies every instance's checkpoints,
 * and written as a file per checkpoint under DATA_DIR (and the export folder). A database owner who
 * rewrites or truncates the log (and recomputes the chain) cannot forge a signature, and cannot remove the
 * files, so verification against them exposes it.
 */
@Injectable()
export class CheckpointService {
  private readonly log = new Logger(CheckpointService.name);

  constructor(
    private readonly entries: AuditLogRepository,
    private readonly keys: SigningKeyStore,
    private readonly store: CheckpointStore,
  ) {}

  /** Reads and checks every checkpoint: the stored ones and the files. Never creates a key. */
  async load(): Promise<LoadedCheckpoints> {
    const files = await this.checkpointFiles();
    const result: LoadedCheckpoints = { claims: [], problems: [] };
    if (files.length === 0) return result;
    const { key, keyProblem } = this.verificationKey();
    for (const file of files) this.checkFile(file, key, keyProblem, result);
    return result;
  }

  /** The checkpoint files, plus the stored checkpoints no file holds, lowest seq first. */
  private async checkpointFiles(): Promise<CheckpointFile[]> {
    const files = this.store.list();
    const fileTexts = new Set(files.map((f) => f.text));
    for (const row of await this.entries.checkpoints()) {
      if (!fileTexts.has(row.text))
        files.push({
          name: CheckpointStore.fileName(row.seq),
          label: `stored checkpoint ${row.seq}`,
          seqInName: row.seq,
          text: row.text,
        });
    }
    files.sort((a, b) => a.seqInName - b.seqInName);
    return files;
  }

  /** The signing key to check signatures with, or why there is none (never creates one). */
  private verificationKey(): { key: SigningKey | null; keyProblem: string | null } {
    let key: SigningKey | null = null;
    let keyProblem: string | null = null;
    try {
      key = this.keys.load();
      if (!key) keyProblem = `there is no signing key at ${this.keys.path}`;
    } catch (e) {
      if (!(e instanceof SigningKeyUnavailableError)) throw e;
      keyProblem = e.message;
    }
    return { key, keyProblem };
  }

  /** Checks one checkpoint file: a claim in `result` when its signature checks out, else a problem. */
  private checkFile(
    file: CheckpointFile,
    key: SigningKey | null,
    keyProblem: string | null,
    result: LoadedCheckpoints,
  ): void {
    const label = file.label;
    let parsed;
    try {
      parsed = parseCheckpoint(file.text);
    } catch (e) {
      if (!(e instanceof CheckpointFormatError)) throw e;
      result.problems.push({
        seq: Math.max(1, file.seqInName),
        reason: `checkpoint ${label} is not a valid checkpoint: ${e.message}`,
      });
      return;
    }
    const { checkpoint } = parsed;
    const seq = Math.max(1, checkpoint.seq);
    if (checkpoint.origin !== CHECKPOINT_ORIGIN) {
      result.problems.push({
        seq,
        reason: `checkpoint ${label} belongs to another log (origin "${checkpoint.origin}")`,
      });
      return;
    }
    if (!key) {
      result.problems.push({ seq, reason: `checkpoint ${label} cannot be checked: ${keyProblem}` });
      return;
    }
    const check = checkSignature(parsed, key.publicKey);
    if (check === 'not_signed_by_key') {
      const ids = parsed.signatures.map((s) => s.keyId.toString('hex')).join(', ') || 'none';
      result.problems.push({
        seq,
        reason: `checkpoint ${label} is not signed by this log's key (key id ${keyId(CHECKPOINT_KEY_NAME, key.publicKey).toString('hex')}; it carries key id ${ids})`,
      });
    } else if (check === 'invalid_signature') {
      result.problems.push({
        seq,
        reason: `checkpoint ${label} has a signature that does not match its content: the file was edited`,
      });
    } else {
      const when = checkpoint.time ? ` (signed ${checkpoint.time.toISOString()})` : '';
      result.claims.push({
        seq: checkpoint.seq,
        hash: checkpoint.hash,
        label: `${label}${when}`,
        at: checkpoint.time ?? null,
      });
    }
  }

  /**
   * The newest checkpoint whose signature checks out (audit packs state it): its seq and hash, when it was
   * signed, and the SHA-256 of the signing public key (SPKI DER, hex). Null when there is none.
   */
  async latestSigned(): Promise<{ seq: number; hash: string; at: string | null; keyFingerprint: string } | null> {
    const newest = (await this.load()).claims.sort((a, b) => b.seq - a.seq)[0];
    const key = newest ? this.keys.load() : null;
    if (!newest || !key) return null;
    const der = key.publicKey.export({ type: 'spki', format: 'der' });
    return {
      seq: newest.seq,
      hash: newest.hash,
      at: newest.at?.toISOString() ?? null,
      keyFingerprint: createHash('sha256').update(der).digest('hex'),
    };
  }

  /**
   * Signs the current head and writes it as a checkpoint file (idempotent: nothing is written when the head
   * has not moved). Before signing it checks that the entries since the newest checkpoint (or since the
   * genesis) extend it unchanged, so it never signs a rewritten log.
   */
  async writeNow(now = new Date()): Promise<CheckpointOutcome> {
    const key = this.keys.loadOrCreate();
    const head = await this.entries.head();
    if (!head) return { written: false, reason: 'empty' };
    const latest = (await this.load()).claims.reduce<CheckpointClaim | null>(
      (a, c) => (!a || c.seq > a.seq ? c : a),
      null,
    );
    const name = CheckpointStore.fileName(head.seq);
    if (latest && latest.seq === head.seq && latest.hash === head.hash) {
      this.export(name, key);
      return { written: false, reason: 'unchanged', seq: head.seq, hash: head.hash, file: this.store.pathOf(name) };
    }
    await this.checkExtends(latest, head);

    const text = signCheckpoint(checkpointBody({ seq: head.seq, hash: head.hash, time: now }), key.privateKey);
    const stored = await this.entries.saveCheckpoint({
      seq: head.seq,
      hash: head.hash,
      keyId: keyId(CHECKPOINT_KEY_NAME, key.publicKey).toString('hex'),
      text,
    });
    if (!stored || !this.store.write(name, text)) {
      // Another instance, or the CLI next to the server, wrote this seq's checkpoint a moment ago.
      const other = (await this.load()).claims.find((c) => c.seq === head.seq);
      if (other?.hash !== head.hash)
        throw new CheckpointInconsistentError(head.seq, `checkpoint ${name} exists with another hash`);
      return { written: false, reason: 'unchanged', seq: head.seq, hash: head.hash, file: this.store.pathOf(name) };
    }
    const exportedTo = this.export(name, key);
    this.log.log(`audit-trail checkpoint at entry ${head.seq} written to ${this.store.pathOf(name)}`);
    return { written: true, seq: head.seq, hash: head.hash, file: this.store.pathOf(name), exportedTo };
  }

  private async checkExtends(latest: CheckpointClaim | null, head: { seq: number; hash: string }): Promise<void> {
    if (latest) {
      if (latest.seq > head.seq) {
        throw new CheckpointInconsistentError(
          head.seq + 1,
          `the log ends at entry ${head.seq}, but checkpoint ${latest.label} covers ${latest.seq} entries`,
        );
      }
      const entry = await this.entries.findBySeq(latest.seq);
      if (!entry)
        throw new CheckpointInconsistentError(
          latest.seq,
          `entry ${latest.seq} of checkpoint ${latest.label} is missing`,
        );
      if (entry.hash !== latest.hash)
        throw new CheckpointInconsistentError(
          latest.seq,
          `its hash differs from the one in checkpoint ${latest.label}`,
        );
    }
    const after = latest ? { seq: latest.seq, hash: latest.hash } : undefined;
    const verifier = new ChainVerifier({ after });
    await this.entries.walkAfter(after?.seq ?? 0, VERIFY_BATCH_SIZE, head.seq, (entry) => verifier.addBytes(entry));
    const result = verifier.result();
    if (!result.ok) throw new CheckpointInconsistentError(result.brokenAtSeq, result.reason);
    if (verifier.lastSeq !== head.seq)
      throw new CheckpointInconsistentError(
        verifier.lastSeq + 1,
        `entries after ${verifier.lastSeq} disappeared while checking`,
      );
  }

  private export(name: string, key: SigningKey): string | null {
    if (!this.store.exportDir) return null;
    const text = this.store.read(name);
    if (text === null) return null;
    const pem = key.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    return this.store.export(name, text, pem, keyId(CHECKPOINT_KEY_NAME, key.publicKey).toString('hex'));
  }
}
