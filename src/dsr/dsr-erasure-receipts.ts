import { Inject, Injectable } from '@nestjs/common';
import { toJsonObject } from '../audit-trail/domain/audit-entry';
import { CatalogService } from '../catalog/catalog.service';
import { dayOf } from '../common/time/days';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EvidenceService } from '../evidence/evidence.service';
import type { ExecutableSystem } from './data-systems.service';
import { erasureMethods, type PostgresSystemDefinition } from './domain/data-map';
import { erasureReceipt, type ErasureReceipt, type ReceiptInput } from './domain/erasure-receipt';
import type { DsrRequest } from './dsr-request.entity';

/** Controls that name this collector get erasure receipts (and the weekly register snapshot). */
export const DSR_REGISTER_COLLECTOR = 'dsr-register';

/** Erasure receipts: built from a run and the data maps, and stored as evidence for the register's controls. */
@Injectable()
export class DsrErasureReceipts {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly evidence: EvidenceService,
    private readonly catalog: CatalogService,
  ) {}

  build(
    row: DsrRequest,
    now: Date,
    run: Pick<ReceiptInput, 'erasures' | 'residue'>,
    manualPending: string[],
    systems: ExecutableSystem[],
  ): ErasureReceipt {
    // The maps say which anonymised tables are only pseudonymised (retained rows still link them).
    const methods = new Map(
      systems
        .filter((s) => s.definition.kind === 'postgres')
        .map((s) => [s.system.key, erasureMethods((s.definition as PostgresSystemDefinition).postgres)]),
    );
    return erasureReceipt({
      request: row,
      erasedAt: now,
      erasures: run.erasures,
      residue: run.residue,
      manualPending,
      methods,
      backupRetentionDays: this.config.dsrBackupRetentionDays,
    });
  }

  /** Stores the receipt as evidence; null when no control collects it. */
  async record(row: DsrRequest, receipt: ErasureReceipt, now: Date): Promise<string | null> {
    const controls = (await this.catalog.liveControls()).filter((c) => c.collector === DSR_REGISTER_COLLECTOR);
    if (controls.length === 0) return null;
    const day = dayOf(now);
    const { id } = await this.evidence.recordSnapshot({
      actor: 'system:dsr',
      title: `Erasure receipt ${row.reference}`,
      controlIds: controls.map((c) => c.id),
      data: toJsonObject(receipt),
      source: 'collector:dsr-erasure-receipt',
      evidenceDate: now,
      periodStart: day,
      periodEnd: day,
    });
    return id;
  }
}
