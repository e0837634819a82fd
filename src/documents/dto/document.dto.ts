import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { ROLES, type Role } from '../../authz/actor';
import { PageQueryDto } from '../../common/http/pagination';
import { isCalendarDate } from '../../common/time/days';
import {
  DOCUMENT_KEY,
  DOCUMENT_LIMITS,
  DOCUMENT_TYPES,
  SIGNATURE_KINDS,
  SIGNATURE_MEANINGS,
  VERSION_STATUSES,
  type DocumentType,
  type SignatureKind,
  type SignatureMeaning,
  type VersionStatus,
} from '../domain/document-model';
import type { DiffHunk } from '../domain/document-diff';

const DEPARTMENT_KEY = /^[a-z][a-z0-9-]{0,39}$/;
const CONTROL_KEY = /^[A-Z]{2,5}-\d{2,3}$/;
/** A real calendar day written YYYY-MM-DD (2026-02-30 is refused here, not by PostgreSQL). */
const IsDay = () =>
  ValidateBy({
    name: 'isDay',
    validator: {
      validate: (value: unknown) => isCalendarDate(value),
      defaultMessage: (a) => `${a?.property} must be a calendar date written YYYY-MM-DD`,
    },
  });

export class AudienceDto {
  @ApiProperty({ description: 'the document applies to everyone' })
  @IsBoolean()
  everyone: boolean;

  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ApiPropertyOptional({ type: [String], example: ['engineering'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(DOCUMENT_LIMITS.audience)
  @Matches(DEPARTMENT_KEY, { each: true, message: 'each department must be a department key like engineering' })
  departments?: string[];
}

export class CreateDocumentDto {
  @ApiProperty({ example: 'POL-ISMS', description: 'upper case, digits and hyphens; unique' })
  @IsString()
  @Matches(DOCUMENT_KEY, { message: 'key must be like POL-ISMS (upper case letters, digits, hyphens)' })
  key: string;

  @ApiProperty() @IsString() @MinLength(1) @MaxLength(DOCUMENT_LIMITS.title) title: string;

  @ApiProperty({ enum: DOCUMENT_TYPES }) @IsIn(DOCUMENT_TYPES) type: DocumentType;

  @ApiProperty({ example: 'security', description: 'department key (controls/departments.yaml)' })
  @IsString()
  @Matches(DEPARTMENT_KEY, { message: 'ownerDepartment must be a department key like security' })
  ownerDepartment: string;

  @ApiPropertyOptional({ description: 'the person answerable for it; you when not given' })
  @IsOptional()
  @IsUUID('all')
  ownerUserId?: string;

  @ApiProperty({ type: AudienceDto })
  @ValidateNested()
  @Type(() => AudienceDto)
  audience: AudienceDto;

  @ApiPropertyOptional({ minimum: 1, maximum: 60, description: "months; the type's default when not given" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(60)
  reviewCadenceMonths?: number;

  @ApiPropertyOptional({ type: [String], example: ['SEC-01'], description: 'keys of the controls it supports' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(DOCUMENT_LIMITS.controls)
  @Matches(CONTROL_KEY, { each: true, message: 'each control must be a control key like SEC-01' })
  controls?: string[];
}

export class UpdateDocumentDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(DOCUMENT_LIMITS.title) title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(DEPARTMENT_KEY, { message: 'ownerDepartment must be a department key like security' })
  ownerDepartment?: string;

  @ApiPropertyOptional() @IsOptional() @IsUUID('all') ownerUserId?: string;

  @ApiPropertyOptional({ type: AudienceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AudienceDto)
  audience?: AudienceDto;

  @ApiPropertyOptional({ minimum: 1, maximum: 60 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(60)
  reviewCadenceMonths?: number;

  @ApiPropertyOptional({ type: [String], description: 'replaces the list' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(DOCUMENT_LIMITS.controls)
  @Matches(CONTROL_KEY, { each: true, message: 'each control must be a control key like SEC-01' })
  controls?: string[];
}

export class DocumentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DOCUMENT_TYPES }) @IsOptional() @IsIn(DOCUMENT_TYPES) type?: DocumentType;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(DEPARTMENT_KEY) department?: string;
  @ApiPropertyOptional({ description: 'text in the key or title' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class CreateVersionDto {
  @ApiProperty({ description: 'Markdown' })
  @IsString()
  @MinLength(1)
  @MaxLength(DOCUMENT_LIMITS.content)
  content: string;

  @ApiProperty() @IsString() @MinLength(1) @MaxLength(DOCUMENT_LIMITS.changeSummary) changeSummary: string;

  @ApiProperty({ description: 'only a material change asks the audience to acknowledge it again' })
  @IsBoolean()
  material: boolean;

  @ApiPropertyOptional({
    example: '2026-01-01',
    description: 'the day it takes effect; the publication day when not given',
  })
  @IsOptional()
  @IsDay()
  effectiveOn?: string;
}

export class UpdateVersionDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(DOCUMENT_LIMITS.content) content?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(DOCUMENT_LIMITS.changeSummary)
  changeSummary?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() material?: boolean;
  @ApiPropertyOptional()
  @IsOptional()
  @IsDay()
  effectiveOn?: string;
}

export class SignVersionDto {
  @ApiProperty({ description: 'your password, entered again for this signature' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;

  @ApiProperty({ enum: SIGNATURE_MEANINGS, description: 'what you state by signing' })
  @IsIn(SIGNATURE_MEANINGS)
  meaning: SignatureMeaning;
}

export class RejectVersionDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(DOCUMENT_LIMITS.reason) reason: string;
}

export class RetireDocumentDto {
  @ApiProperty({ description: 'why it is withdrawn (kept on the document and in the audit trail)' })
  @IsString()
  @MinLength(1)
  @MaxLength(DOCUMENT_LIMITS.reason)
  reason: string;
}

export class PublishVersionDto {
  @ApiPropertyOptional({ example: '2026-01-01', description: "the day it takes effect; the version's, else today" })
  @IsOptional()
  @IsDay()
  effectiveOn?: string;
}

export class DocumentParams {
  @ApiProperty({ example: 'POL-ISMS' }) @IsString() @MaxLength(200) key: string;
}

export class VersionParams extends DocumentParams {
  @ApiProperty({ minimum: 1 }) @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) n: number;
}

export class DiffQueryDto {
  @ApiProperty({ minimum: 1, description: 'the version to compare with' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  against: number;
}

export class AudienceView {
  @ApiProperty() everyone: boolean;
  @ApiProperty({ type: [String] }) roles: string[];
  @ApiProperty({ type: [String] }) departments: string[];
}

export class SignatureView {
  @ApiProperty() id: string;
  @ApiProperty() signerUserId: string;
  @ApiProperty() signerRole: string;
  @ApiProperty({ enum: SIGNATURE_KINDS }) meaning: SignatureKind;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty() round: number;
  @ApiProperty() signedAt: string;
  @ApiProperty() versionSha256: string;
  @ApiProperty() recordSha256: string;
  @ApiProperty({ description: "the signature holds for this version's content as stored now" }) valid: boolean;
}

export class ApprovalView {
  @ApiProperty() met: boolean;
  @ApiProperty({ type: [String] }) required: string[];
  @ApiProperty({ type: [String] }) missing: string[];
}

export class VersionView {
  @ApiProperty() documentKey: string;
  @ApiProperty() number: number;
  @ApiProperty({ enum: VERSION_STATUSES }) status: VersionStatus;
  @ApiProperty() sha256: string;
  @ApiProperty() content: string;
  @ApiProperty() changeSummary: string;
  @ApiProperty() material: boolean;
  @ApiProperty({ nullable: true, type: String }) effectiveOn: string | null;
  @ApiProperty() round: number;
  @ApiProperty() createdBy: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) submittedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) approvedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) publishedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) supersededAt: string | null;
  @ApiProperty({ nullable: true, type: String }) retiredAt: string | null;
  @ApiProperty({ type: ApprovalView, description: 'the current round against the type’s approvers' })
  approval: ApprovalView;
  @ApiProperty({ type: [SignatureView] }) signatures: SignatureView[];
}

export class VersionSummaryView {
  @ApiProperty() number: number;
  @ApiProperty({ enum: VERSION_STATUSES }) status: VersionStatus;
  @ApiProperty() sha256: string;
  @ApiProperty() changeSummary: string;
  @ApiProperty() material: boolean;
  @ApiProperty({ nullable: true, type: String }) effectiveOn: string | null;
  @ApiProperty({ nullable: true, type: String }) publishedAt: string | null;
}

export class DocumentView {
  @ApiProperty() key: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: DOCUMENT_TYPES }) type: DocumentType;
  @ApiProperty() ownerDepartment: string;
  @ApiProperty() ownerUserId: string;
  @ApiProperty({ type: AudienceView }) audience: AudienceView;
  @ApiProperty() reviewCadenceMonths: number;
  @ApiProperty({ nullable: true, type: String }) nextReviewOn: string | null;
  @ApiProperty({ nullable: true, type: Number }) publishedVersion: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'when it was retired (nothing in force since)' })
  retiredAt: string | null;
  @ApiProperty({ nullable: true, type: String }) retiredReason: string | null;
  @ApiProperty({ type: [String] }) controls: string[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiPropertyOptional({ type: [VersionSummaryView], description: 'the versions you may read, newest first' })
  versions?: VersionSummaryView[];
}

export class DiffHunkView {
  @ApiProperty({ enum: ['same', 'added', 'removed'] }) kind: DiffHunk['kind'];
  @ApiProperty({ nullable: true, type: Number }) fromLine: number | null;
  @ApiProperty({ nullable: true, type: Number }) toLine: number | null;
  @ApiProperty({ type: [String] }) lines: string[];
}

export class DiffView {
  @ApiProperty() documentKey: string;
  @ApiProperty({ description: 'the older side' }) from: number;
  @ApiProperty({ description: 'the newer side' }) to: number;
  @ApiProperty() added: number;
  @ApiProperty() removed: number;
  @ApiProperty({ type: [DiffHunkView] }) hunks: DiffHunkView[];
}
