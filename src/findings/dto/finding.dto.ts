import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { FINDING_SEVERITIES, type FindingSeverity } from '../../releases/domain/release-model';
import {
  FINDING_STATUSES,
  RETEST_RESULTS,
  SCAN_ROUTE_KINDS,
  type FindingSource,
  type FindingStatus,
  type RetestResult,
  type ScanRouteKind,
} from '../domain/finding-model';

/** A product key of controls/release-gates.yaml, or a system's key. */
const PRODUCT = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DEPARTMENT = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** An instant: an ISO 8601 date-time with its offset (Z or ±hh:mm), so no server zone guesses it. */
const INSTANT = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ENTERED_SOURCES = ['pen_test', 'manual'] as const;

export class CreateFindingDto {
  @ApiProperty({ enum: ENTERED_SOURCES, description: 'scanner findings come from imports' })
  @IsIn(ENTERED_SOURCES, { message: `source must be one of ${ENTERED_SOURCES.join(', ')}` })
  source: Extract<FindingSource, 'pen_test' | 'manual'>;
  @ApiPropertyOptional({ description: 'the pen test that reported it (required for source pen_test)' })
  @IsOptional()
  @IsUUID('4', { message: 'penTestId must be the id of a pen test' })
  penTestId?: string;
  @ApiProperty({ enum: FINDING_SEVERITIES })
  @IsIn(FINDING_SEVERITIES, { message: `severity must be one of ${FINDING_SEVERITIES.join(', ')}` })
  severity: FindingSeverity;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(300) title: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(10000) detail?: string;
  @ApiProperty({ example: 'patient-platform', description: 'the product or system it is in' })
  @Matches(PRODUCT, { message: 'product must be a product or system key (lowercase letters, digits, dashes)' })
  product: string;
  @ApiPropertyOptional({ example: 'engineering', description: 'the department that fixes it; yours by default' })
  @IsOptional()
  @Matches(DEPARTMENT, { message: 'department must be a department key' })
  department?: string;
  @ApiPropertyOptional({ description: 'the person who fixes it' })
  @IsOptional()
  @IsUUID('4', { message: 'ownerUserId must be a user id' })
  ownerUserId?: string;
  @ApiPropertyOptional({ example: '2026-12-01T09:00:00+07:00', description: 'when it was found; now by default' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'openedAt must be a date-time with its time zone' })
  @Matches(INSTANT, { message: 'openedAt must be a date-time with its time zone (Z or +07:00)' })
  openedAt?: string;
}

export class FindingQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FINDING_STATUSES })
  @IsOptional()
  @IsIn(FINDING_STATUSES, { message: `status must be one of ${FINDING_STATUSES.join(', ')}` })
  status?: FindingStatus;
  @ApiPropertyOptional({ enum: FINDING_SEVERITIES })
  @IsOptional()
  @IsIn(FINDING_SEVERITIES, { message: `severity must be one of ${FINDING_SEVERITIES.join(', ')}` })
  severity?: FindingSeverity;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(PRODUCT, { message: 'product must be a product or system key' })
  product?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DEPARTMENT, { message: 'department must be a department key' })
  department?: string;
}

export class FindingParams {
  @ApiProperty() @IsUUID('4', { message: 'id must be a finding id' }) id: string;
}

export class FixFindingDto {
  @ApiProperty({ description: 'the evidence item showing the fix (upload it first: POST /api/evidence)' })
  @IsUUID('4', { message: 'evidenceId must be the id of an evidence item' })
  evidenceId: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

export class RetestFindingDto {
  @ApiProperty({ enum: RETEST_RESULTS, description: 'passed closes the finding; failed reopens it' })
  @IsIn(RETEST_RESULTS, { message: `result must be one of ${RETEST_RESULTS.join(', ')}` })
  result: RetestResult;
}

export class AcceptFindingDto {
  @ApiProperty({ description: 'why the risk is accepted' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  reason: string;
  @ApiProperty({ example: '2027-03-31', description: 'the last day the acceptance holds (compliance time zone)' })
  @Matches(DAY, { message: 'expiresOn must be a date (YYYY-MM-DD)' })
  expiresOn: string;
  @ApiProperty({ description: 'your password again (a session, not a token)' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  password: string;
}

export class ImportParams {
  @ApiProperty({ enum: SCAN_ROUTE_KINDS })
  @IsIn(SCAN_ROUTE_KINDS, { message: `kind must be one of ${SCAN_ROUTE_KINDS.join(', ')}` })
  kind: ScanRouteKind;
}

export class ImportQueryDto {
  @ApiProperty({ example: 'patient-platform', description: 'the product the report scanned' })
  @Matches(PRODUCT, { message: 'product must be a product or system key (lowercase letters, digits, dashes)' })
  product: string;
  @ApiPropertyOptional({ example: 'engineering', description: 'the department of new findings; yours by default' })
  @IsOptional()
  @Matches(DEPARTMENT, { message: 'department must be a department key' })
  department?: string;
}

export class CreatePenTestDto {
  @ApiProperty({ example: 'Acme Security' }) @IsString() @MinLength(1) @MaxLength(200) vendor: string;
  @ApiProperty({ example: 'Annual external pen test 2026' }) @IsString() @MinLength(1) @MaxLength(300) title: string;
  @ApiProperty({ example: '2026-11-02' })
  @Matches(DAY, { message: 'startsOn must be a date (YYYY-MM-DD)' })
  startsOn: string;
  @ApiProperty({ example: '2026-11-13' })
  @Matches(DAY, { message: 'endsOn must be a date (YYYY-MM-DD)' })
  endsOn: string;
}

/** A finding as the API shows it, with its SLA clock. */
export interface FindingView {
  id: string;
  source: FindingSource;
  penTestId: string | null;
  fingerprint: string | null;
  severity: FindingSeverity;
  title: string;
  detail: string;
  product: string;
  department: string;
  ownerUserId: string | null;
  status: FindingStatus;
  openedAt: string;
  closedAt: string | null;
  fixEvidenceId: string | null;
  fixNote: string | null;
  retestResult: RetestResult | null;
  retestedAt: string | null;
  sla: { days: number; dueAt: string; state: string };
  acceptance: AcceptanceView | null;
}

export interface AcceptanceView {
  id: string;
  reason: string;
  expiresOn: string;
  holds: boolean;
  meaning: string;
  signerUserId: string;
  signedAt: string;
  recordSha256: string;
}

export interface PenTestView {
  id: string;
  vendor: string;
  title: string;
  startsOn: string;
  endsOn: string;
}

export interface ScanImportView {
  importId: string;
  kind: string;
  product: string;
  sha256: string;
  evidenceId: string;
  created: boolean;
  opened: number;
  reopened: number;
  resolved: number;
  unchanged: number;
}
