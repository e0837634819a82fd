import { boolQuery } from '../../common/http/bool-query';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ValidationError } from '../../common/errors/app-error';
import { PageQueryDto } from '../../common/http/pagination';
import { createValidationPipe } from '../../common/http/validation.pipe';
import {
  CONTROL_KEY,
  EVIDENCE_KINDS,
  MAX_CONTROLS_PER_ITEM,
  MAX_FILES_PER_ITEM,
  splitControlKeys,
  type EvidenceKind,
} from '../domain/evidence-model';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Control keys as a JSON array, or one comma-separated string. */
const controlKeys = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? splitControlKeys([value])
    : Array.isArray(value) && value.every((v) => typeof v === 'string')
      ? splitControlKeys(value)
      : value;
const CONTROL_KEYS_MESSAGE = 'each must be a control key like ENG-01';

export const JSON_KINDS = ['link', 'attestation', 'snapshot'] as const;

export class ChecklistAnswerDto {
  @ApiProperty({ example: 'Were all leavers removed from production access?' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  question: string;
  @ApiProperty() @IsBoolean() answer: boolean;
}

/** Fields every new item has. */
class EvidenceFieldsDto {
  @ApiProperty({
    type: [String],
    example: ['ACC-02', 'ACC-03'],
    description: 'keys of the controls it serves (JSON array, or comma-separated)',
  })
  @Transform(controlKeys)
  @IsArray()
  @ArrayMinSize(1, { message: 'controls must name at least one control' })
  @ArrayMaxSize(MAX_CONTROLS_PER_ITEM)
  @Matches(CONTROL_KEY, { each: true, message: CONTROL_KEYS_MESSAGE })
  controls: string[];

  @ApiProperty({ example: '2026-10-01', description: 'first day of the period covered (Asia/Bangkok)' })
  @IsString()
  periodStart: string;
  @ApiProperty({ example: '2026-12-31', description: 'last day of the period covered (Asia/Bangkok)' })
  @IsString()
  periodEnd: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(4000)
  description?: string;
  @ApiPropertyOptional({ description: 'id of the item this one corrects' })
  @IsOptional()
  @IsUUID('all', { message: 'supersedes must be an evidence id' })
  supersedes?: string;
}

/** The fields of a multipart upload (besides its `file` parts). */
export class UploadEvidenceFieldsDto extends EvidenceFieldsDto {
  @ApiProperty({ maxLength: 200, example: 'Q4 access review: production database' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title: string;
  @ApiProperty({ example: '2026-11-20', description: 'the date (Asia/Bangkok) or zoned date-time the evidence is of' })
  @IsString()
  evidenceDate: string;
}

/** A link, an attestation or a snapshot, as JSON. */
export class CreateEvidenceDto extends EvidenceFieldsDto {
  @ApiProperty({ enum: JSON_KINDS }) @IsIn(JSON_KINDS) kind: (typeof JSON_KINDS)[number];

  @ApiPropertyOptional({ maxLength: 200, description: 'required except for attestations (titled from the statement)' })
  @ValidateIf((o: CreateEvidenceDto) => o.kind !== 'attestation' || o.title !== undefined)
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({
    description: 'the date or zoned date-time the evidence is of; required except for attestations (now)',
  })
  @ValidateIf((o: CreateEvidenceDto) => o.kind !== 'attestation' || o.evidenceDate !== undefined)
  @IsString()
  evidenceDate?: string;

  @ApiPropertyOptional({ description: 'kind link: where the evidence is (http or https)' })
  @ValidateIf((o: CreateEvidenceDto) => o.kind === 'link' || o.url !== undefined)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an http:// or https:// URL' },
  )
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({
    description: 'kind attestation: the statement, e.g. "No change to production access this week."',
  })
  @ValidateIf((o: CreateEvidenceDto) => o.kind === 'attestation' || o.statement !== undefined)
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  statement?: string;

  @ApiPropertyOptional({ type: [ChecklistAnswerDto], description: 'kind attestation: checklist answers' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ChecklistAnswerDto)
  checklist?: ChecklistAnswerDto[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'kind snapshot: the JSON document (stored canonical, RFC 8785)',
  })
  @ValidateIf((o: CreateEvidenceDto) => o.kind === 'snapshot' || o.data !== undefined)
  @IsObject()
  data?: Record<string, unknown>;
}

export class EvidenceQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'ACC-02' })
  @IsOptional()
  @Matches(CONTROL_KEY, { message: 'control must be a control key like ENG-01' })
  control?: string;
  @ApiPropertyOptional({ enum: EVIDENCE_KINDS }) @IsOptional() @IsIn(EVIDENCE_KINDS) kind?: EvidenceKind;
  @ApiPropertyOptional({ example: '2026-10-01', description: 'evidence date on or after this day (Asia/Bangkok)' })
  @IsOptional()
  @IsString()
  from?: string;
  @ApiPropertyOptional({ example: '2026-12-31', description: 'evidence date on or before this day (Asia/Bangkok)' })
  @IsOptional()
  @IsString()
  to?: string;
  @ApiPropertyOptional({ enum: ['me'], description: 'only what you submitted' })
  @IsOptional()
  @IsIn(['me'])
  submitter?: 'me';
  @ApiPropertyOptional({ description: 'leave out superseded items' })
  @IsOptional()
  @boolQuery()
  @IsBoolean()
  current?: boolean;
  @ApiPropertyOptional({ description: 'words the title contains' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class EvidenceParams {
  @ApiProperty() @IsUUID('all', { message: 'id must be an evidence id' }) id: string;
}

export class DownloadQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_FILES_PER_ITEM,
    default: 1,
    description: 'which file of the item (from 1)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_FILES_PER_ITEM)
  file?: number;
}

export class EvidenceFileView {
  @ApiProperty({ example: 1 }) n: number;
  @ApiProperty({ example: 'access-review.pdf' }) filename: string;
  @ApiProperty() size: number;
  @ApiProperty({ example: 'application/pdf', description: 'sniffed from the bytes' }) mediaType: string;
  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }) sha256: string;
  @ApiProperty({ example: '/api/evidence/…/download?file=1' }) download: string;
}

export class ChecklistAnswerView {
  @ApiProperty() question: string;
  @ApiProperty() answer: boolean;
}

export class EvidenceView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: EVIDENCE_KINDS }) kind: EvidenceKind;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ example: 'upload', description: 'upload, api, attestation or collector:<name>' }) source: string;
  @ApiProperty({ nullable: true, type: String, description: 'user id; null for the system' }) submittedBy:
    string | null;
  @ApiProperty({ description: 'when it was received' }) collectedAt: string;
  @ApiProperty({ description: 'the moment the evidence is of' }) evidenceDate: string;
  @ApiProperty({ example: '2026-10-01' }) periodStart: string;
  @ApiProperty({ example: '2026-12-31' }) periodEnd: string;
  @ApiProperty({ nullable: true, type: String }) supersedes: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the item that corrects this one' }) supersededBy:
    string | null;
  @ApiProperty({ type: [String], example: ['ACC-02'] }) controls: string[];
  @ApiProperty({ nullable: true, type: String }) url: string | null;
  @ApiProperty({ nullable: true, type: String }) statement: string | null;
  @ApiProperty({ nullable: true, type: [ChecklistAnswerView] }) checklist: ChecklistAnswerView[] | null;
  @ApiProperty({ type: [EvidenceFileView] }) files: EvidenceFileView[];
}

/** Validates a body or form outside the global pipe (the evidence route takes JSON or multipart). */
export async function validated<T extends object>(cls: new () => T, plain: unknown): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new ValidationError([
      { field: 'body', message: 'must be a JSON object, or multipart/form-data with file parts' },
    ]);
  }
  // The global pipe itself, so the body is treated as on every other route: in particular its prototype keys
  // (`__proto__`, `constructor`) are stripped first; class-transformer threw on a nested {"constructor": …}
  // in a snapshot's free-form `data` (a 500).
  return (await createValidationPipe().transform(plain, { type: 'body', metatype: cls })) as T;
}
