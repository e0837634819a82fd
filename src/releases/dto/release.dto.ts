import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { ATTACHMENT_KINDS, type AttachmentKind } from '../domain/release-model';

/** Product keys of controls/release-gates.yaml. */
const PRODUCT = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A version as CI names it: semver or a build number, no spaces or slashes. */
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;
const COMMIT = /^[0-9a-f]{7,64}$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** An instant: an ISO 8601 date-time with its offset (Z or ±hh:mm), so no server zone guesses it. */
const INSTANT = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export class ReleaseAnomalyDto {
  @ApiProperty({ example: 'BUG-123', description: 'the anomaly in the issue tracker' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  ref: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(300) title: string;
  @ApiProperty({ description: 'why it is acceptable to release with it (IEC 62304 5.8.3)' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  evaluation: string;
}

export class CreateReleaseDto {
  @ApiProperty({ example: 'patient-platform', description: 'a product of controls/release-gates.yaml' })
  @Matches(PRODUCT, { message: 'product must be a product key of controls/release-gates.yaml' })
  product: string;
  @ApiProperty({ example: '1.4.0' })
  @Matches(VERSION, { message: 'version must be 1-64 letters, digits, dots, dashes, underscores or pluses' })
  version: string;
  @ApiProperty({ example: '3f2c9a1d0b7e', description: 'the commit built, 7-64 lowercase hex digits' })
  @Matches(COMMIT, { message: 'commit must be 7-64 lowercase hex digits' })
  commit: string;
  @ApiProperty({ example: '2026-12-05T09:30:00+07:00' })
  @IsISO8601({ strict: true }, { message: 'builtAt must be a date-time with its time zone' })
  @Matches(INSTANT, { message: 'builtAt must be a date-time with its time zone (Z or +07:00)' })
  builtAt: string;
  @ApiPropertyOptional({
    type: [ReleaseAnomalyDto],
    description: 'known residual anomalies with their evaluation; sent again, replaces the list',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => ReleaseAnomalyDto)
  anomalies?: ReleaseAnomalyDto[];
}

export class ReleaseParams {
  @ApiProperty() @Matches(PRODUCT, { message: 'product must be a product key' }) product: string;
  @ApiProperty() @Matches(VERSION, { message: 'version must be a release version' }) version: string;
}

export class AttachmentParams extends ReleaseParams {
  @ApiProperty({ enum: ATTACHMENT_KINDS })
  @IsIn(ATTACHMENT_KINDS, { message: `kind must be one of ${ATTACHMENT_KINDS.join(', ')}` })
  kind: AttachmentKind;
}

export class GateParams extends ReleaseParams {
  @ApiProperty({ example: 'qa' }) @Matches(/^[a-z0-9_]{1,64}$/, { message: 'gate must be a gate key' }) gate: string;
}

export class SignGateDto {
  @ApiProperty({ description: 'your password, entered again to sign' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;
  @ApiPropertyOptional({
    description:
      "the clause 9 review: the SHA-256 of the risk management report you read (GET …/risk-report); 409 if it is no longer the release's latest",
  })
  @IsOptional()
  @Matches(SHA256, { message: 'reportSha256 must be 64 lowercase hex digits' })
  reportSha256?: string;
}

export class ReleaseQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(PRODUCT, { message: 'product must be a product key' }) product?: string;
}

export interface AttachmentView {
  id: string;
  kind: AttachmentKind;
  filename: string;
  sha256: string;
  size: number;
  evidenceId: string;
  createdAt: string;
  /** Whether it is the newest of its kind (the one the gates read). */
  current: boolean;
  summary: unknown;
}

export interface GateSignatureView {
  id: string;
  gate: string;
  meaning: string;
  signerUserId: string;
  signer: string | null;
  role: string;
  department: string | null;
  signedAt: string;
  releaseSha256: string;
  reportSha256: string | null;
  reportEvidenceId: string | null;
  recordSha256: string;
  /** valid: counts; stale: the release changed after it was signed; broken: the record no longer matches. */
  state: 'valid' | 'stale' | 'broken';
}

export interface ReleaseListItem {
  id: string;
  product: string;
  version: string;
  commit: string;
  builtAt: string;
  createdAt: string;
}
