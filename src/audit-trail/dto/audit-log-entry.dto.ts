import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditLog } from '../audit-log.entity';
import { JsonObject, parseCanonicalEntry } from '../domain/audit-entry';

/** One audit-trail entry as the API shows it. `data` comes from the hashed content. */
export class AuditLogEntryView {
  @ApiProperty({ example: 42 }) seq: number;
  @ApiProperty({ example: '2026-01-05T03:00:00.000Z' }) at: string;
  @ApiProperty({ example: 'user:4f0c2d1e-…' }) actor: string;
  @ApiProperty({ example: 'user.create' }) action: string;
  @ApiProperty({ example: 'User' }) subjectType: string;
  @ApiProperty({ nullable: true, type: String }) subjectId: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'null when the stored content cannot be read (see verify)',
  })
  data: JsonObject | null;
  @ApiProperty({ description: 'hex SHA-256 of the previous entry' }) prevHash: string;
  @ApiProperty({ description: 'hex SHA-256(prevHash bytes ‖ canonical JSON)' }) hash: string;
}

export function auditLogEntryView(row: AuditLog): AuditLogEntryView {
  return {
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    data: parseCanonicalEntry(row.canonical)?.data ?? null,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

export class AuditLogPageView {
  @ApiProperty({ type: [AuditLogEntryView] }) items: AuditLogEntryView[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

/** `{ ok: true, entries, checkpoints }` or `{ ok: false, brokenAtSeq, reason, entries }`. */
export class VerifyResultView {
  @ApiProperty({ description: 'true when the chain and every checkpoint check out' }) ok: boolean;
  @ApiProperty({ description: 'entries checked (when broken: the intact entries before the break)' }) entries: number;
  @ApiPropertyOptional({ description: 'signed checkpoint files checked (when ok)' }) checkpoints?: number;
  @ApiPropertyOptional({ description: 'the first seq found broken (when not ok)' }) brokenAtSeq?: number;
  @ApiPropertyOptional({ description: 'what is wrong there, in plain words (when not ok)' }) reason?: string;
}
