import { ConflictError } from '../common/errors/app-error';
import type { PackStatus } from './audit-pack.entity';

/** Every code the audit packs (with their signing) module answers with (problem+json `code`), beside `<entity>.not_found`. */
export type AuditPackErrorCode =
  | 'audit_pack.signing_certificate_unavailable'
  | 'audit_pack.timestamp_failed'
  | 'pack.forbidden'
  | 'pack.not_ready'
  | 'pack.rebuild_needed';

// Declared into the app-wide ErrorCodes, so a code not listed here does not compile in a throw.
declare module '../common/errors/app-error' {
  interface ErrorCodes extends Record<AuditPackErrorCode, true> {}
}

/** The pack's files do not exist yet (queued, building) or never will (failed): 409. */
export class PackNotReadyError extends ConflictError {
  constructor(id: string, status: PackStatus) {
    super(
      'pack.not_ready',
      status === 'failed'
        ? `Audit pack ${id} failed to build; request it again.`
        : `Audit pack ${id} is ${status}; its files are not ready yet.`,
    );
  }
}

/** A finished pack whose files are not in the blob store (built before packs were stored there): 409. */
export class PackFilesMissingError extends ConflictError {
  constructor(id: string) {
    super(
      'pack.rebuild_needed',
      `Audit pack ${id}'s files are not in the shared store; request the pack again to rebuild it.`,
    );
  }
}

/** Another build took the pack over (this one was presumed dead), or the process is shutting down. */
export class PackBuildInterruptedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PackBuildInterruptedError';
  }
}
