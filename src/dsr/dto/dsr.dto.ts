import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  ArrayMaxSize,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { DSR_RIGHTS, type ClockView, type DsrRight } from '../domain/dsr-clocks';
import { DSR_GROUNDS, type DsrGround } from '../domain/dsr-grounds';
import {
  DSR_CHANNELS,
  DSR_STATUSES,
  VERIFICATION_METHODS,
  type DsrChannel,
  type DsrStatus,
  type VerificationMethod,
} from '../domain/dsr-model';
import type { DrillReport } from '../domain/drill-report';
import type { DsrActionSummary } from '../domain/action-summary';
import { boolQuery } from '../../common/http/bool-query';

export class SubjectDto {
  @ApiProperty({ example: 'สมชาย ใจดี' }) @IsString() @MinLength(1) @MaxLength(500) name: string;
  @ApiPropertyOptional({ example: 'somchai@example.com' }) @IsOptional() @IsString() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ example: '081 234 5678' }) @IsOptional() @IsString() @MaxLength(40) phone?: string;
  @ApiPropertyOptional({ example: '1101700203451', description: 'Thai national id, 13 digits' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  nationalId?: string;
}

export class RequesterDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(500) name: string;
  @ApiProperty({ description: 'how to reach the representative' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  contact: string;
  @ApiProperty({ example: 'parent', description: 'relationship to the subject (parent, guardian, lawyer…)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  relationship: string;
}

export class CreateDsrRequestDto {
  @ApiProperty({ enum: DSR_RIGHTS }) @IsIn(DSR_RIGHTS) right: DsrRight;
  @ApiProperty({ enum: DSR_CHANNELS.filter((c) => c !== 'drill') })
  @IsIn(DSR_CHANNELS.filter((c) => c !== 'drill'))
  channel: DsrChannel;
  @ApiPropertyOptional({
    enum: DSR_GROUNDS,
    description:
      'required for objection (PDPA s. 32 para 1: public_task_or_legitimate_interest, direct_marketing, research) and erasure (s. 33 para 1: no_longer_necessary, consent_withdrawn, objection, unlawful_processing); refused for the other rights',
  })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  ground?: string;
  @ApiPropertyOptional({ description: 'when the request was received (default: now); not in the future' })
  @IsOptional()
  @IsISO8601({ strict: true })
  receivedAt?: string;
  @ApiProperty({ type: SubjectDto }) @ValidateNested() @Type(() => SubjectDto) subject: SubjectDto;
  @ApiPropertyOptional({ type: RequesterDto, description: 'when a representative asks for the subject' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RequesterDto)
  requester?: RequesterDto;
  @ApiPropertyOptional({ description: 'rectification: column → corrected value', example: { phone: '66899999999' } })
  @IsOptional()
  @IsObject()
  changes?: Record<string, string>;
}

export class VerifyIdentityDto {
  @ApiProperty({ enum: VERIFICATION_METHODS.filter((m) => m !== 'synthetic') })
  @IsIn(VERIFICATION_METHODS.filter((m) => m !== 'synthetic'))
  method: VerificationMethod;
  @ApiProperty({ description: 'what was checked, e.g. the ticket or document reference (stored encrypted)' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reference: string;
}

export class RejectDsrDto {
  @ApiProperty({
    description:
      'why the request is refused (recorded in the record of processing for access, portability, objection and rectification)',
  })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

export class CompleteDsrDto {
  @ApiProperty({ description: 'how the request was answered (e.g. package sent by registered e-mail)' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note: string;
}

export class EraseDsrDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 30,
    description: 'days before erasure runs (default DSR_ERASURE_GRACE_DAYS); 0 runs it now',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30)
  graceDays?: number;
}

export class LegalHoldDto {
  @ApiProperty({ description: 'why erasure must wait (litigation, regulator request…)' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

// Named apart from the sweep task's CompleteTaskDto: the OpenAPI document keys schemas by name, one would hide the other.
@ApiSchema({ name: 'CompleteDsrTaskDto' })
export class CompleteTaskDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(2000) note: string;
  @ApiPropertyOptional({ type: [Boolean], description: 'the checklist answers, in order' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsBoolean({ each: true })
  checklist?: boolean[];
}

export class DsrQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DSR_STATUSES }) @IsOptional() @IsIn(DSR_STATUSES) status?: DsrStatus;
  @ApiPropertyOptional({ enum: DSR_RIGHTS }) @IsOptional() @IsIn(DSR_RIGHTS) right?: DsrRight;
  @ApiPropertyOptional({ description: 'only open requests' }) @IsOptional() @boolQuery() @IsBoolean() open?: boolean;
  @ApiPropertyOptional({ description: 'only requests past a deadline' })
  @IsOptional()
  @boolQuery()
  @IsBoolean()
  overdue?: boolean;
  @ApiPropertyOptional({ description: 'include drill requests' })
  @IsOptional()
  @boolQuery()
  @IsBoolean()
  drills?: boolean;
  @ApiPropertyOptional({ description: 'reference contains' }) @IsOptional() @IsString() @MaxLength(40) q?: string;
}

export class TaskQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'only tasks still waiting (default true)' })
  @IsOptional()
  @boolQuery()
  @IsBoolean()
  open?: boolean;
}

export class RequestParams {
  @ApiProperty() @Matches(/^[0-9a-f-]{36}$/, { message: 'id must be a request id' }) id: string;
}

export class SystemKeyParams {
  @ApiProperty() @Matches(/^[a-z][a-z0-9-]{1,62}$/, { message: 'key must be a data system key' }) key: string;
}

export class ExportTokenParams {
  @ApiProperty() @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'token must be an export link token' }) token: string;
}

export interface DataSystemView {
  id: string;
  key: string;
  name: string;
  kind: 'postgres' | 'http' | 'manual';
  ownerDepartment: string | null;
  ownerUserId: string | null;
  active: boolean;
  version: number;
  definition: Record<string, unknown>;
  updatedAt: string;
}

export interface DsrActionView {
  id: string;
  systemKey: string;
  kind: string;
  status: string;
  summary: DsrActionSummary | null;
  error: string | null;
  attempts: number;
  checklist: { item: string; done: boolean }[] | null;
  outcomeNote: string | null;
  finishedAt: string | null;
}

export interface DsrRequestView {
  id: string;
  reference: string;
  right: DsrRight;
  /** Objection (s. 32 para 1) or erasure (s. 33 para 1) ground; null for the other rights. */
  ground: DsrGround | null;
  section: string;
  channel: string;
  status: DsrStatus;
  receivedAt: string;
  isRepresentative: boolean;
  isDrill: boolean;
  clocks: ClockView;
  verifiedAt: string | null;
  /** Objection: when the data was separated in every system (the statutory clock stops then). */
  separatedAt: string | null;
  verificationMethod: string | null;
  rejectionReason: string | null;
  closingNote: string | null;
  closedAt: string | null;
  lastError: string | null;
  erasureScheduledFor: string | null;
  erasedAt: string | null;
  backupsExpireAt: string | null;
  exportedAt: string | null;
  /** The package is still on disk (deleted after DSR_EXPORT_RETENTION_DAYS and at erasure). */
  exportAvailable: boolean;
  exportSha256: string | null;
  exportBytes: number | null;
  receipt: Record<string, unknown> | null;
  receiptEvidenceId: string | null;
  legalHolds: { id: string; reason: string; placedAt: string; releasedAt: string | null }[];
  actions: DsrActionView[];
  version: number;
  /** Privacy officers and admins only. */
  subject?: { name: string; email: string | null; phone: string | null; nationalId: string | null };
  requester?: { name: string; contact: string; relationship: string } | null;
  changes?: Record<string, string> | null;
  verificationReference?: string | null;
  /** In lists: the identity could not be decrypted here (made with a key this instance does not hold). */
  unreadable?: { code: 'crypto.key_unknown'; keyId: string; detail: string };
}

export interface ExportLinkView {
  url: string;
  expiresAt: string;
}

export interface DrillView {
  id: string;
  /** How the drill was started: schedule, cli, api or page. */
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  passed: boolean | null;
  evidenceId: string | null;
  report: DrillReport | null;
}

export class HoldParams extends RequestParams {
  @ApiProperty() @Matches(/^[0-9a-f-]{36}$/, { message: 'holdId must be a legal hold id' }) holdId: string;
}
