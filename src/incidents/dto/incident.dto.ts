import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { BREACH_DECISIONS, BREACH_TYPES, FACTOR_LEVELS, type BreachType, type FactorLevel } from '../domain/breach';
import type { BreachDecision } from '../domain/incident-clocks';
import {
  CAPA_STATUSES,
  INCIDENT_CATEGORIES,
  INCIDENT_STATUSES,
  MANUAL_TIMELINE_KINDS,
  NOTICE_KINDS,
  type CapaStatus,
  type IncidentCategory,
  type IncidentStatus,
  type ManualTimelineKind,
  type NoticeKind,
} from '../domain/incident-model';
import { ADVERSE_EVENT_CATEGORIES, type AdverseEventCategory } from '../domain/incident-policy';

const SEVERITY = /^SEV\d$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** An instant: an ISO 8601 date-time with its offset (Z or ±hh:mm), so no server zone guesses it. */
const INSTANT = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const instant = (field: string) => [
  IsISO8601({ strict: true }, { message: `${field} must be a date-time with its time zone` }),
  Matches(INSTANT, { message: `${field} must be a date-time with its time zone (Z or +07:00)` }),
];
const Instant = (field: string): PropertyDecorator => {
  const decorators = instant(field);
  return (target, key) => decorators.forEach((d) => d(target, key));
};
/** Optional and nullable: absent leaves it, null clears it. */
const nullable = (field: string) =>
  ValidateIf((o: Record<string, unknown>) => o[field] !== undefined && o[field] !== null);
const shortList = (max: number, each: number) => [
  ArrayMaxSize(max),
  IsString({ each: true }),
  MaxLength(each, { each: true }),
];
const ShortList = (max: number, each: number): PropertyDecorator => {
  const decorators = [IsArray(), ...shortList(max, each)];
  return (target, key) => decorators.forEach((d) => d(target, key));
};

export class ReportIncidentDto {
  @ApiProperty() @IsString() @MinLength(3) @MaxLength(200) title: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(20_000) description: string;
  @ApiProperty({ example: 'SEV2', description: 'a severity of controls/incident-policy.yaml' })
  @Matches(SEVERITY, { message: 'severity must be SEV1, SEV2, …' })
  severity: string;
  @ApiProperty({ enum: INCIDENT_CATEGORIES, isArray: true })
  @IsArray()
  @ArrayMinSize(1, { message: 'categories must name at least one category' })
  @ArrayMaxSize(INCIDENT_CATEGORIES.length)
  @IsIn(INCIDENT_CATEGORIES, { each: true, message: `categories must be among ${INCIDENT_CATEGORIES.join(', ')}` })
  categories: IncidentCategory[];
  @ApiPropertyOptional({ example: '2026-12-05T09:30:00+07:00', description: 'default: now' })
  @IsOptional()
  @Instant('detectedAt')
  detectedAt?: string;
  @ApiPropertyOptional({ description: 'when the company became aware (the legal clocks start); default: detectedAt' })
  @IsOptional()
  @Instant('awareAt')
  awareAt?: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @ShortList(50, 200) affectedSystems?: string[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @ShortList(50, 200) products?: string[];
  @ApiPropertyOptional({ type: [String], description: 'customer organisations (never patients)' })
  @IsOptional()
  @ShortList(50, 200)
  customers?: string[];
  @ApiPropertyOptional({
    description: "the alerting system's own key: a retried alert with the same key returns the same incident",
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  externalKey?: string;
  @ApiPropertyOptional({ enum: ADVERSE_EVENT_CATEGORIES })
  @IsOptional()
  @IsIn(ADVERSE_EVENT_CATEGORIES)
  adverseEventCategory?: AdverseEventCategory;
}

export class IncidentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: INCIDENT_STATUSES }) @IsOptional() @IsIn(INCIDENT_STATUSES) status?: IncidentStatus;
  @ApiPropertyOptional({ description: 'only incidents not closed' })
  @IsOptional()
  @IsIn(['1', 'true', '0', 'false'])
  open?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(SEVERITY, { message: 'severity must be SEV1, SEV2, …' })
  severity?: string;
  @ApiPropertyOptional({ enum: INCIDENT_CATEGORIES })
  @IsOptional()
  @IsIn(INCIDENT_CATEGORIES)
  category?: IncidentCategory;
  @ApiPropertyOptional({ description: 'words in the title' }) @IsOptional() @IsString() @MaxLength(200) q?: string;
}

export class IncidentParams {
  @ApiProperty() @IsUUID('all', { message: 'id must be an incident id' }) id: string;
}

export class CapaParams extends IncidentParams {
  @ApiProperty() @IsUUID('all', { message: 'capaId must be a corrective action id' }) capaId: string;
}

export class UpdateIncidentDto {
  @ApiPropertyOptional({ description: 'the version you saw: 409 when the incident has moved on' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(3) @MaxLength(200) title?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(20_000) description?: string;
  @ApiPropertyOptional({ enum: INCIDENT_STATUSES }) @IsOptional() @IsIn(INCIDENT_STATUSES) status?: IncidentStatus;
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(SEVERITY, { message: 'severity must be SEV1, SEV2, …' })
  severity?: string;
  @ApiPropertyOptional({ description: 'why the severity changes (required with a new severity)' })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  severityReason?: string;
  @ApiPropertyOptional({ enum: INCIDENT_CATEGORIES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'categories must name at least one category' })
  @ArrayMaxSize(INCIDENT_CATEGORIES.length)
  @IsIn(INCIDENT_CATEGORIES, { each: true, message: `categories must be among ${INCIDENT_CATEGORIES.join(', ')}` })
  categories?: IncidentCategory[];
  @ApiPropertyOptional() @IsOptional() @Instant('awareAt') awareAt?: string;
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('commanderUserId')
  @IsUUID('all', { message: 'commanderUserId must be a user id' })
  commanderUserId?: string | null;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @ShortList(50, 200) affectedSystems?: string[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @ShortList(50, 200) products?: string[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @ShortList(50, 200) customers?: string[];
  @ApiPropertyOptional({ enum: ADVERSE_EVENT_CATEGORIES, nullable: true })
  @nullable('adverseEventCategory')
  @IsIn(ADVERSE_EVENT_CATEGORIES)
  adverseEventCategory?: AdverseEventCategory | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'a field safety corrective action started' })
  @nullable('fscaStartedAt')
  @Instant('fscaStartedAt')
  fscaStartedAt?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('fscaClosedAt')
  @Instant('fscaClosedAt')
  fscaClosedAt?: string | null;
  @ApiPropertyOptional({ type: [String], description: 'the risks it concerns (replaces the list)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'riskIds must be risk ids' })
  riskIds?: string[];
}

export class TimelineEntryDto {
  @ApiProperty({ enum: MANUAL_TIMELINE_KINDS })
  @IsIn(MANUAL_TIMELINE_KINDS, { message: `kind must be one of ${MANUAL_TIMELINE_KINDS.join(', ')}` })
  kind: ManualTimelineKind;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(5000) text: string;
  @ApiPropertyOptional({ description: 'when it happened (default now; not in the future)' })
  @IsOptional()
  @Instant('at')
  at?: string;
}

export class BreachFactorDto {
  @ApiProperty({ enum: FACTOR_LEVELS }) @IsIn(FACTOR_LEVELS) level: FactorLevel;
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('note')
  @IsString()
  @MaxLength(2000)
  note?: string | null;
}

export class BreachFactorsDto {
  @ApiProperty() @ValidateNested() @Type(() => BreachFactorDto) nature: BreachFactorDto;
  @ApiProperty() @ValidateNested() @Type(() => BreachFactorDto) dataTypeAndVolume: BreachFactorDto;
  @ApiProperty() @ValidateNested() @Type(() => BreachFactorDto) subjectVulnerability: BreachFactorDto;
  @ApiProperty() @ValidateNested() @Type(() => BreachFactorDto) consequenceSeverity: BreachFactorDto;
  @ApiProperty() @ValidateNested() @Type(() => BreachFactorDto) widerEffects: BreachFactorDto;
  @ApiProperty() @ValidateNested() @Type(() => BreachFactorDto) safeguards: BreachFactorDto;
}

export class BreachAssessmentDto {
  @ApiProperty({ enum: BREACH_TYPES, isArray: true })
  @IsArray()
  @ArrayMinSize(1, { message: 'types must name at least one of confidentiality, integrity, availability' })
  @ArrayMaxSize(3)
  @IsIn(BREACH_TYPES, { each: true, message: `types must be among ${BREACH_TYPES.join(', ')}` })
  types: BreachType[];
  @ApiProperty({ type: [String], example: ['contact details', 'lab results'] })
  @IsArray()
  @ArrayMinSize(1, { message: 'dataCategories must name at least one category of personal data' })
  @ShortList(30, 200)
  dataCategories: string[];
  @ApiProperty({ description: 'sensitive data (PDPA s. 26: health above all) is involved' })
  @IsBoolean()
  sensitive: boolean;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'approximate; null: not yet known' })
  @nullable('subjectsApprox')
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  subjectsApprox?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number })
  @nullable('recordsApprox')
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  recordsApprox?: number | null;
  @ApiProperty({ description: 'the PDPC Notification clause 12 factors, each low, medium or high with a note' })
  @IsObject()
  @ValidateNested()
  @Type(() => BreachFactorsDto)
  factors: BreachFactorsDto;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(5000) likelyConsequences: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(5000) measuresTaken: string;
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('measuresProposed')
  @IsString()
  @MaxLength(5000)
  measuresProposed?: string | null;
  @ApiProperty({ enum: BREACH_DECISIONS }) @IsIn(BREACH_DECISIONS) decision: BreachDecision;
  @ApiProperty({ description: 'why (a no-risk decision is kept with its reasons)' })
  @IsString()
  @MinLength(10, { message: 'reasons must explain the decision (at least 10 characters)' })
  @MaxLength(5000)
  reasons: string;
  @ApiPropertyOptional({ description: 'when decided (default now)' })
  @IsOptional()
  @Instant('decidedAt')
  decidedAt?: string;
}

export class NoticeDto {
  @ApiProperty({ enum: NOTICE_KINDS })
  @IsIn(NOTICE_KINDS, { message: `kind must be one of ${NOTICE_KINDS.join(', ')}` })
  kind: NoticeKind;
  @ApiProperty({ example: '2026-12-05T10:00:00+07:00' }) @Instant('sentAt') sentAt: string;
  @ApiProperty({ example: 'PDPC e-service' }) @IsString() @MinLength(1) @MaxLength(200) channel: string;
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('reference')
  @IsString()
  @MaxLength(200)
  reference?: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'data subjects told (a count)' })
  @nullable('recipientsCount')
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  recipientsCount?: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'required when the notice is late' })
  @nullable('lateReason')
  @IsString()
  @MaxLength(5000)
  lateReason?: string | null;
}

export class CreateCapaDto {
  @ApiProperty() @IsString() @MinLength(3) @MaxLength(500) title: string;
  @ApiProperty() @IsUUID('all', { message: 'ownerUserId must be a user id' }) ownerUserId: string;
  @ApiProperty({ example: '2026-12-31' })
  @Matches(DAY, { message: 'dueOn must be a date written YYYY-MM-DD' })
  dueOn: string;
}

export class UpdateCapaDto {
  @ApiProperty({ enum: CAPA_STATUSES }) @IsIn(CAPA_STATUSES) status: CapaStatus;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'done: the evidence item that verifies it' })
  @nullable('verificationEvidenceId')
  @IsUUID('all', { message: 'verificationEvidenceId must be an evidence id' })
  verificationEvidenceId?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'done: how verified; accepted: why' })
  @nullable('note')
  @IsString()
  @MaxLength(5000)
  note?: string | null;
}

export class ReviewDto {
  @ApiProperty() @IsString() @MinLength(3) @MaxLength(10_000) cause: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(10_000) wentWell: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(10_000) toChange: string;
}
