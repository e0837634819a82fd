import { Transform, Type } from 'class-transformer';
import {
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
  ValidateIf,
} from 'class-validator';
import { REF_PATTERN, TEXT_LIMITS } from '../../risks/domain/risk-csv';
import { PROBABILITY_KEY, RISK_LEVELS, type RiskLevel } from '../../risks/domain/risk-matrix';
import {
  RISK_CONTROL_TYPES,
  RISK_REGISTERS,
  RISK_REVIEW_CADENCES,
  RISK_STATUSES,
  type RiskControlType,
  type RiskRegister,
  type RiskReviewCadence,
  type RiskStatus,
} from '../../risks/domain/risk-model';
import { emptyToUndefined } from './form-fields';

/** A probability level's word (ISO 14971) or a likelihood L1…Ln (security). */
const PROBABILITY = new RegExp(`^(L\\d|${PROBABILITY_KEY.source.slice(1, -1)})$`);

/** Ids or refs typed into one field, separated by commas, spaces or new lines. */
const idList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value;

/** The register page's filters (a select left on "any" sends an empty value). */
export class RiskPageQueryDto {
  @IsOptional() @Transform(emptyToUndefined) @IsIn(RISK_REGISTERS) register?: RiskRegister;
  @IsOptional() @Transform(emptyToUndefined) @IsIn(RISK_STATUSES) status?: RiskStatus;
  @IsOptional() @Transform(emptyToUndefined) @IsIn(RISK_LEVELS) level?: RiskLevel;
  @IsOptional()
  @Transform(emptyToUndefined)
  @ValidateIf((o: RiskPageQueryDto) => o.owner !== 'me')
  @IsUUID('all', { message: 'owner must be a user id or "me"' })
  owner?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(100) q?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(TEXT_LIMITS.product) product?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

/**
 * "Add a hazard" on the register page, as the browser sends it: loose bounded strings, so that a mistake
 * reaches the page controller, which validates it as POST /api/risks does (CreateRiskDto) and shows the form
 * again with what was typed and each problem next to its field.
 */
export class CreateRiskFormDto {
  @IsOptional() @IsString() @MaxLength(40) register?: string;
  @IsOptional() @IsString() @MaxLength(500) ref?: string;
  @IsOptional() @IsString() @MaxLength(500) product?: string;
  @IsOptional() @IsString() @MaxLength(2000) title?: string;
  @IsOptional() @IsString() @MaxLength(20_000) hazard?: string;
  @IsOptional() @IsString() @MaxLength(20_000) sequenceOfEvents?: string;
  @IsOptional() @IsString() @MaxLength(20_000) hazardousSituation?: string;
  @IsOptional() @IsString() @MaxLength(20_000) harm?: string;
  @IsOptional() @IsString() @MaxLength(40) severity?: string;
  @IsOptional() @IsString() @MaxLength(40) probability?: string;
  @IsOptional() @IsString() @MaxLength(40) p1?: string;
  @IsOptional() @IsString() @MaxLength(40) p2?: string;
}

/** "Add a risk control" on the risk page, with the residual assessment it leads to (optional). */
export class AddRiskControlFormDto {
  @IsIn(RISK_CONTROL_TYPES) type: RiskControlType;
  @Transform(emptyToUndefined) @IsString() @MinLength(1) @MaxLength(TEXT_LIMITS.long) description: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[A-Z]{2,5}-\d{2,3}$/, { message: 'controlKey must be a control key like CLN-02' })
  controlKey?: string;
  @IsOptional()
  @Transform(idList)
  @IsUUID('all', { each: true, message: 'implementation evidence must be evidence ids' })
  implementationEvidence?: string[];
  @IsOptional()
  @Transform(idList)
  @IsUUID('all', { each: true, message: 'effectiveness evidence must be evidence ids' })
  effectivenessEvidence?: string[];
  @IsOptional()
  @Transform(idList)
  @Matches(REF_PATTERN, { each: true, message: 'risks introduced must be refs like HAZ-001' })
  arisingRisks?: string[];
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[SI]\d$/, { message: 'residualSeverity must be a level like S3 or I3' })
  residualSeverity?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(PROBABILITY, { message: 'residualProbability must be a level like improbable or L1' })
  residualProbability?: string;
  @Type(() => Number) @IsInt() @Min(1) version: number;
}

/** "Complete the quarterly review" on the register page. */
export class RiskReviewFormDto {
  @IsIn(RISK_REGISTERS) register: RiskRegister;
  @Transform(emptyToUndefined) @IsString() @MinLength(1) @MaxLength(TEXT_LIMITS.long) notes: string;
}

/** "Risk management plan" on the register page for the selected product (the API's PUT /api/risks/plans/:product). */
export class RiskPlanFormDto {
  @Transform(emptyToUndefined) @IsString() @MinLength(1) @MaxLength(TEXT_LIMITS.product) product: string;
  @Transform(emptyToUndefined) @IsString() @MinLength(1) @MaxLength(TEXT_LIMITS.long) scope: string;
  @Transform(emptyToUndefined) @IsString() @MinLength(1) @MaxLength(TEXT_LIMITS.long) intendedUse: string;
  @Transform(emptyToUndefined) @IsString() @MinLength(1) @MaxLength(TEXT_LIMITS.long) acceptabilityPolicy: string;
  @IsIn(RISK_REVIEW_CADENCES) reviewCadence: RiskReviewCadence;
  /** Empty clears the statement. */
  @IsOptional() @IsString() @MaxLength(TEXT_LIMITS.long) residualRiskStatement?: string;
  /** The version the form showed (0: no plan yet). */
  @Type(() => Number) @IsInt() @Min(0) version: number;
}
