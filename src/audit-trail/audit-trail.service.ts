import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { type Page, pageOf } from '../common/http/pagination';
import { AuditLogRepository, ChainHead } from './audit-log.repository';
import { CheckpointService } from './checkpoint.service';
import { assertValidEntry, AuditEntryInput, nextEntries, nextEntry } from './domain/audit-entry';
import { ChainVerifier, VerifyResult } from './domain/chain-verifier';
import { timeRange } from './domain/time-range';
import { AuditLogEntryView, auditLogEntryView } from './dto/audit-log-entry.dto';
import type { AuditLogQueryDto } from './dto/audit-log-query.dto';

/** Entries per COPY of the verification walk (~12 MB of COPY data for entries of ~340 bytes; checked as they arrive). */
export const VERIFY_PAGE_SIZE = 20_000;

export interface AppendedEntry {
  seq: number;
  at: Date;
  hash: string;
}

/**
 * The audit trail: an append-only, hash-chained log of every change and every download.
 *
 * What goes in: who (a pseudonymous actor reference from actorRef(), never a name or an e-mail address),
 * what (`area.verb`), on which subject (type + id), and `data` with ids, counts and states. Never secrets
 * (passwords, tokens, keys: refused) and no personal data beyond pseudonymous references such as
 * `user:<id>` (e-mail addresses are refused): the trail cannot be edited, so whatever goes in stays.
 */
@Injectable()
export class AuditTrailService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly entries: AuditLogRepository,
    private readonly checkpoints: CheckpointService,
  ) {}

  /**
   * Appends an entry inside the caller's transaction, so the entry exists exactly when the change does.
   * Takes the chain lock (held until that transaction ends: keep it short), reads the head and writes
   * head + 1. The transaction must be READ COMMITTED (the default) so the head read after the lock is current.
   */
  async append(entry: AuditEntryInput, manager: EntityManager): Promise<AppendedEntry> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(
        'AuditTrailService.append() needs the EntityManager of an open transaction; use record() for an event on its own',
      );
    }
    assertValidEntry(entry); // before taking the lock, so a bad entry never makes others wait
    await this.entries.lockChain(manager);
    const head = await this.entries.head(manager);
    const next = nextEntry(head, entry, new Date());
    await this.entries.insert(
      { ...next.content, canonical: next.canonical, prevHash: next.prevHash, hash: next.hash },
      manager,
    );
    return { seq: next.content.seq, at: next.content.at, hash: next.hash };
  }

  /**
   * Appends several entries, in order, inside the caller's transaction, as append() does for one: one lock,
   * one head read and one insert for all of them (a catalog sync of thousands of changes). They share one
   * time; the chain is the one append() would have written entry by entry at that time (nextEntries()).
   */
  async appendMany(entries: AuditEntryInput[], manager: EntityManager): Promise<AppendedEntry[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditTrailService.appendMany() needs the EntityManager of an open transaction');
    }
    if (entries.length === 0) return [];
    entries.forEach(assertValidEntry); // before taking the lock, so a bad entry never makes others wait
    await this.entries.lockChain(manager);
    const head = await this.entries.head(manager);
    const stored = nextEntries(head, entries, new Date()).map((next) => ({
      ...next.content,
      canonical: next.canonical,
      prevHash: next.prevHash,
      hash: next.hash,
    }));
    await this.entries.insertMany(stored, manager);
    return stored.map((e) => ({ seq: e.seq, at: e.at, hash: e.hash }));
  }

  /** Records an event that changes nothing else (a login, a failed login, a download) in its own transaction. */
  record(entry: AuditEntryInput): Promise<AppendedEntry> {
    return this.ds.transaction((manager) => this.append(entry, manager));
  }

  head(): Promise<ChainHead | null> {
    return this.entries.head();
  }

  /** Entries newest first, filtered by actor, action, subject and time. */
  async list(query: AuditLogQueryDto): Promise<Page<AuditLogEntryView>> {
    const { limit, offset } = pageOf(query);
    const range = timeRange(query.from, query.to);
    const { rows, total } = await this.entries.list(
      { actor: query.actor, action: query.action, subjectType: query.subjectType, subjectId: query.subjectId, range },
      limit,
      offset,
    );
    return { items: rows.map(auditLogEntryView), total, limit, offset };
  }

  /**
   * Walks the whole chain by seq in batches (recomputing every hash from the stored canonical text, checking
   * links and contiguous seqs), and checks every checkpoint file: its signature, that the log still reaches
   * its seq, and that the entry there still has its hash. Reports the first broken seq and why.
   * `pageSize` is for tests of page boundaries; everything else walks in pages of VERIFY_PAGE_SIZE.
   */
  async verify(pageSize = VERIFY_PAGE_SIZE): Promise<VerifyResult> {
    // Checkpoint files first: each was signed for a head committed before it, so the walk below sees that head.
    const { claims, problems } = await this.checkpoints.load();
    const verifier = new ChainVerifier({ checkpoints: claims, knownProblems: problems });
    await this.entries.walkAfter(0, pageSize, undefined, (entry) => verifier.addBytes(entry));
    return verifier.result();
  }
}
