import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { TEXT_LIMITS } from '../../risks/domain/risk-csv';
import { RISK_LEVELS, type RiskLevel } from '../../risks/domain/risk-matrix';
import { RISK_REGISTERS, RISK_STATUSES, type RiskRegister, type RiskStatus } from '../../risks/domain/risk-model';
import { emptyToUndefined, formText } from './form-fields';

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

/**
 * "Add a risk control" on the risk page, with the residual assessment it leads to (optional), as the browser
 * sends it: loose bounded strings (see CreateRiskFormDto); the page controller validates it as PATCH
 * /api/risks/:id does (UpdateRiskDto) and shows the form again with what was typed.
 */
export class AddRiskControlFormDto {
  @formText(40) type?: string;
  @formText(20_000) description?: string;
  @formText(500) controlKey?: string;
  /** Evidence ids (or refs, for the risks introduced) typed into one field, separated by commas or spaces. */
  @formText(20_000) implementationEvidence?: string;
  @formText(20_000) effectivenessEvidence?: string;
  @formText(20_000) arisingRisks?: string;
  @formText(40) residualSeverity?: string;
  @formText(40) residualProbability?: string;
  /** The risk's version the page showed. */
  @formText(40) version?: string;
}

/** "Complete the quarterly review" on the register page (loose: validated as CreateRiskReviewDto by the page). */
export class RiskReviewFormDto {
  @formText(40) register?: string;
  @formText(20_000) notes?: string;
}

/**
 * "Risk management plan" on the register page for the selected product (loose: the page validates it as the
 * API's PUT /api/risks/plans/:product does, RiskPlanParams and PutRiskPlanDto).
 */
export class RiskPlanFormDto {
  @formText(500) product?: string;
  @formText(20_000) scope?: string;
  @formText(20_000) intendedUse?: string;
  @formText(20_000) acceptabilityPolicy?: string;
  @formText(40) reviewCadence?: string;
  /** Empty clears the statement. */
  @formText(20_000) residualRiskStatement?: string;
  /** The version the form showed (0: no plan yet). */
  @formText(40) version?: string;
}
