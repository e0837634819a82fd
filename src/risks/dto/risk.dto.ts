import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { REF_PATTERN, TEXT_LIMITS } from '../domain/risk-csv';
import { PROBABILITY_KEY, RISK_LEVELS, type RiskLevel } from '../domain/risk-matrix';
import {
  RISK_CONTROL_TYPES,
  RISK_REGISTERS,
  RISK_STATUSES,
  RISK_TREATMENTS,
  type GapKind,
  type RiskControlType,
  type RiskRegister,
  type RiskStatus,
  type RiskTreatment,
} from '../domain/risk-model';
import type { RiskSnapshot } from '../domain/risk-model';

/** S1…Sn (ISO 14971 severity) or I1…In (security impact); the register's scale decides which. */
const SEVERITY = /^[SI]\d$/;
/** A probability level's word (ISO 14971: improbable … frequent) or L1…Ln (security likelihood); the register's scale decides which. */
const PROBABILITY = new RegExp(`^(L\\d|${PROBABILITY_KEY.source.slice(1, -1)})$`);
/** P1 and P2 (ISO 14971 Annex C factors) are given as probability levels (words). */
const P1P2 = PROBABILITY_KEY;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CONTROL_KEY = /^[A-Z]{2,5}-\d{2,3}$/;
/** Optional and nullable: absent leaves it, null clears it. */
const nullable = (field: string) =>
  ValidateIf((o: Record<string, unknown>) => o[field] !== undefined && o[field] !== null);

export class RiskControlInputDto {
  @ApiProperty({ enum: RISK_CONTROL_TYPES, description: 'ISO 14971 7.1, in order of preference' })
  @IsIn(RISK_CONTROL_TYPES)
  type: RiskControlType;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(TEXT_LIMITS.long) description: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'CLN-02',
    description: 'the catalog control implementing the measure',
  })
  @nullable('controlKey')
  @Matches(CONTROL_KEY, { message: 'controlKey must be a control key like CLN-02' })
  controlKey?: string | null;
  @ApiPropertyOptional({
    type: [String],
    description: 'evidence ids verifying implementation (evidence of the linked control)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  implementationEvidence?: string[];
  @ApiPropertyOptional({
    type: [String],
    description: 'evidence ids verifying effectiveness (evidence of the linked control)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  effectivenessEvidence?: string[];
  @ApiPropertyOptional({
    type: [String],
    example: ['HAZ-007'],
    description: 'refs of the risks (same register) this measure introduced (ISO 14971 7.5)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(REF_PATTERN, { each: true, message: 'arisingRisks must be risk refs like HAZ-001' })
  arisingRisks?: string[];
}

class RiskFieldsDto {
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('hazard')
  @IsString()
  @MaxLength(TEXT_LIMITS.long)
  hazard?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('sequenceOfEvents')
  @IsString()
  @MaxLength(TEXT_LIMITS.long)
  sequenceOfEvents?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('hazardousSituation')
  @IsString()
  @MaxLength(TEXT_LIMITS.long)
  hazardousSituation?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('harm')
  @IsString()
  @MaxLength(TEXT_LIMITS.long)
  harm?: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'remote',
    description:
      'a probability level (improbable, remote, occasional, probable, frequent in the shipped matrix), computed from p1 × p2 when those are given; likelihood L1…Ln in the security register',
  })
  @nullable('probability')
  @Matches(PROBABILITY, {
    message: 'probability must be a level like remote (likelihood like L2 in the security register)',
  })
  probability?: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'probable',
    description:
      'P1 of ISO 14971 Annex C: chance the hazardous situation occurs, as a probability level (ISO 14971 only)',
  })
  @nullable('p1')
  @Matches(P1P2, { message: 'p1 must be a probability level like probable' })
  p1?: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'occasional',
    description:
      'P2 of ISO 14971 Annex C: chance the hazardous situation leads to harm, as a probability level (ISO 14971 only)',
  })
  @nullable('p2')
  @Matches(P1P2, { message: 'p2 must be a probability level like occasional' })
  p2?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('residualSeverity')
  @Matches(SEVERITY, { message: 'residualSeverity must be a level like S3 or I3' })
  residualSeverity?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String })
  @nullable('residualProbability')
  @Matches(PROBABILITY, { message: 'residualProbability must be a level like improbable or L1' })
  residualProbability?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'benefit-risk analysis (ISO 14971 7.4)' })
  @nullable('benefitRisk')
  @IsString()
  @MaxLength(TEXT_LIMITS.long)
  benefitRisk?: string | null;
  @ApiPropertyOptional({ enum: RISK_STATUSES }) @IsOptional() @IsIn(RISK_STATUSES) status?: RiskStatus;
  @ApiPropertyOptional({ enum: RISK_TREATMENTS, nullable: true })
  @nullable('treatment')
  @IsIn(RISK_TREATMENTS)
  treatment?: RiskTreatment | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '2026-12-31' })
  @nullable('dueOn')
  @Matches(DAY, { message: 'dueOn must be a day like 2026-12-31' })
  dueOn?: string | null;
  @ApiPropertyOptional({ description: 'the risk owner (user id); yourself when left out' })
  @IsOptional()
  @IsUUID('all', { message: 'ownerUserId must be a user id' })
  ownerUserId?: string;
  @ApiPropertyOptional({
    type: [RiskControlInputDto],
    description: 'risk control measures; on PATCH the list replaces the current one',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RiskControlInputDto)
  controls?: RiskControlInputDto[];
}

export class CreateRiskDto extends RiskFieldsDto {
  @ApiProperty({ enum: RISK_REGISTERS }) @IsIn(RISK_REGISTERS) register: RiskRegister;
  @ApiProperty({ example: 'HAZ-001' }) @Matches(REF_PATTERN, { message: 'ref must look like HAZ-001' }) ref: string;
  @ApiProperty({ example: 'Attest Triage app' })
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMITS.product)
  product: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(TEXT_LIMITS.title) title: string;
  @ApiProperty({ example: 'S3', description: 'S1…Sn; impact I1…In in the security register' })
  @Matches(SEVERITY, { message: 'severity must be a level like S3 (impact like I3 in the security register)' })
  severity: string;
}

export class UpdateRiskDto extends RiskFieldsDto {
  @ApiPropertyOptional({ example: 'Attest Triage app' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMITS.product)
  product?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(TEXT_LIMITS.title) title?: string;
  @ApiPropertyOptional({ example: 'S3', description: 'S1…Sn; impact I1…In in the security register' })
  @IsOptional()
  @Matches(SEVERITY, { message: 'severity must be a level like S3 (impact like I3 in the security register)' })
  severity?: string;
  @ApiPropertyOptional({ description: 'the version you read: a 409 if the risk has changed since' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class RiskControlView {
  @ApiProperty({ enum: RISK_CONTROL_TYPES }) type: RiskControlType;
  @ApiProperty() description: string;
  @ApiProperty({ nullable: true, type: String }) controlKey: string | null;
  @ApiProperty({ type: [String] }) implementationEvidence: string[];
  @ApiProperty({ type: [String] }) effectivenessEvidence: string[];
  @ApiProperty({ type: [String], description: 'refs of the risks this measure introduced (ISO 14971 7.5)' })
  arisingRisks: string[];
}

/** A risk control measure of another risk that introduced this one (ISO 14971 7.5). */
export class ArisingFromView {
  @ApiProperty() id: string;
  @ApiProperty() ref: string;
  @ApiProperty() title: string;
  @ApiProperty({ description: "the measure's number in that risk's list (1-based)" }) control: number;
}

export class RiskView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: RISK_REGISTERS }) register: RiskRegister;
  @ApiProperty() ref: string;
  @ApiProperty() product: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) hazard: string | null;
  @ApiProperty({ nullable: true, type: String }) sequenceOfEvents: string | null;
  @ApiProperty({ nullable: true, type: String }) hazardousSituation: string | null;
  @ApiProperty({ nullable: true, type: String }) harm: string | null;
  @ApiProperty() severity: string;
  @ApiProperty() probability: string;
  @ApiProperty({ nullable: true, type: String }) p1: string | null;
  @ApiProperty({ nullable: true, type: String }) p2: string | null;
  @ApiProperty({ enum: RISK_LEVELS, description: 'from the matrix' }) level: RiskLevel;
  @ApiProperty({ nullable: true, type: String }) residualSeverity: string | null;
  @ApiProperty({ nullable: true, type: String }) residualProbability: string | null;
  @ApiProperty({ enum: RISK_LEVELS, nullable: true, description: 'from the matrix' }) residualLevel: RiskLevel | null;
  @ApiProperty({ nullable: true, type: String }) benefitRisk: string | null;
  @ApiProperty({ enum: RISK_STATUSES }) status: RiskStatus;
  @ApiProperty({ enum: RISK_TREATMENTS, nullable: true }) treatment: RiskTreatment | null;
  @ApiProperty({ nullable: true, type: String }) dueOn: string | null;
  @ApiProperty() ownerUserId: string;
  @ApiProperty() version: number;
  @ApiProperty({ type: [RiskControlView] }) controls: RiskControlView[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class RiskQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RISK_REGISTERS }) @IsOptional() @IsIn(RISK_REGISTERS) register?: RiskRegister;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(TEXT_LIMITS.product) product?: string;
  @ApiPropertyOptional({ enum: RISK_STATUSES }) @IsOptional() @IsIn(RISK_STATUSES) status?: RiskStatus;
  @ApiPropertyOptional({ enum: RISK_LEVELS }) @IsOptional() @IsIn(RISK_LEVELS) level?: RiskLevel;
  @ApiPropertyOptional({ enum: RISK_LEVELS }) @IsOptional() @IsIn(RISK_LEVELS) residualLevel?: RiskLevel;
  @ApiPropertyOptional({ description: 'owner: a user id, or "me"' })
  @IsOptional()
  @ValidateIf((o: RiskQueryDto) => o.owner !== 'me')
  @IsUUID('all', { message: 'owner must be a user id or "me"' })
  owner?: string;
  @ApiPropertyOptional({ description: 'part of the ref, title, hazard or harm' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class RegisterScopeDto {
  @ApiPropertyOptional({ enum: RISK_REGISTERS, default: 'iso14971' })
  @IsOptional()
  @IsIn(RISK_REGISTERS)
  register?: RiskRegister;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(TEXT_LIMITS.product) product?: string;
}

export class TraceabilityQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RISK_REGISTERS, default: 'iso14971' })
  @IsOptional()
  @IsIn(RISK_REGISTERS)
  register?: RiskRegister;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(TEXT_LIMITS.product) product?: string;
}

export class ExportQueryDto {
  @ApiPropertyOptional({ enum: RISK_REGISTERS, description: 'both registers when left out' })
  @IsOptional()
  @IsIn(RISK_REGISTERS)
  register?: RiskRegister;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(TEXT_LIMITS.product) product?: string;
}

export class RiskParams {
  @ApiProperty() @IsUUID('all', { message: 'id must be a risk id' }) id: string;
}

export class FieldChangeView {
  @ApiProperty() field: string;
  @ApiProperty({ nullable: true }) from: unknown;
  @ApiProperty({ nullable: true }) to: unknown;
}

export class RiskVersionView {
  @ApiProperty() version: number;
  @ApiProperty({ description: 'user:<id> or system:<name>' }) actor: string;
  @ApiProperty() at: string;
  @ApiProperty({ type: [FieldChangeView] }) changes: FieldChangeView[];
  @ApiProperty({ nullable: true, type: Object }) before: RiskSnapshot | null;
  @ApiProperty({ type: Object }) after: RiskSnapshot;
}

export class HeatmapCellView {
  @ApiProperty() severity: string;
  @ApiProperty() probability: string;
  @ApiProperty({ enum: RISK_LEVELS }) level: RiskLevel;
  @ApiProperty() count: number;
}

export class HeatmapView {
  @ApiProperty({ enum: RISK_REGISTERS }) register: RiskRegister;
  @ApiProperty({ nullable: true, type: String }) product: string | null;
  @ApiProperty({ type: [Object], description: 'severity levels S1…Sn with names' }) severity: {
    level: string;
    name: string;
  }[];
  @ApiProperty({
    type: [Object],
    description:
      'probability levels (words, least probable first) with names; likelihood L1…Ln in the security register',
  })
  probability: { level: string; name: string }[];
  @ApiProperty({ type: [HeatmapCellView], description: 'before controls: initial S × P; most probable row first' })
  before: HeatmapCellView[];
  @ApiProperty({
    type: [HeatmapCellView],
    description: 'after controls: residual S × P, or the initial cell while no residual is assessed',
  })
  after: HeatmapCellView[];
  @ApiProperty({ description: 'risks counted after controls at their initial cell, having no residual assessment yet' })
  unassessed: number;
  @ApiProperty() total: number;
}

export class TraceabilityGapView {
  @ApiProperty() kind: GapKind;
  @ApiPropertyOptional({ description: 'position of the control (0-based), for control gaps' }) control?: number;
  @ApiProperty() message: string;
}

export class TraceabilityItemView {
  @ApiProperty() id: string;
  @ApiProperty() ref: string;
  @ApiProperty() product: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: RISK_STATUSES }) status: RiskStatus;
  @ApiProperty({ nullable: true, type: String }) hazard: string | null;
  @ApiProperty({ nullable: true, type: String }) hazardousSituation: string | null;
  @ApiProperty({ nullable: true, type: String }) harm: string | null;
  @ApiProperty({ enum: RISK_LEVELS }) level: RiskLevel;
  @ApiProperty({ enum: RISK_LEVELS, nullable: true }) residualLevel: RiskLevel | null;
  @ApiProperty({ nullable: true, type: String }) benefitRisk: string | null;
  @ApiProperty({ type: [RiskControlView] }) controls: RiskControlView[];
  @ApiProperty({ type: [ArisingFromView], description: 'the measures of other risks that introduced this one' })
  arisingFrom: ArisingFromView[];
  @ApiProperty({ type: [TraceabilityGapView] }) gaps: TraceabilityGapView[];
}

export class ImportResultView {
  @ApiProperty() rows: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
}

export class CreateRiskReviewDto {
  @ApiPropertyOptional({ enum: RISK_REGISTERS, default: 'iso14971' })
  @IsOptional()
  @IsIn(RISK_REGISTERS)
  register?: RiskRegister;
  @ApiProperty({ description: "the reviewer's conclusions" })
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMITS.long)
  notes: string;
}

export class RiskReviewQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RISK_REGISTERS, default: 'iso14971' })
  @IsOptional()
  @IsIn(RISK_REGISTERS)
  register?: RiskRegister;
}

export class RiskReviewView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: RISK_REGISTERS }) register: RiskRegister;
  @ApiProperty() reviewerUserId: string;
  @ApiProperty() reviewedAt: string;
  @ApiProperty() notes: string;
  @ApiProperty({ description: 'risks in the frozen snapshot' }) risks: number;
  @ApiProperty({ type: [Object], description: 'the register by status, level and residual level at review time' })
  summary: { status: string; level: string; residualLevel: string | null; count: number }[];
}
