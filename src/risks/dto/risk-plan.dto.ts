import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { TEXT_LIMITS } from '../domain/risk-csv';
import { RISK_REVIEW_CADENCES, type RiskReviewCadence } from '../domain/risk-model';

export class RiskPlanParams {
  @ApiProperty({ example: 'Attest Triage app', description: 'the product, as risks name it' })
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMITS.product)
  product: string;
}

/** The whole plan: PUT creates it or replaces it (a new version when anything changed). */
export class PutRiskPlanDto {
  @ApiProperty({ description: 'what the risk management covers: product, versions, life-cycle phases' })
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMITS.long)
  scope: string;
  @ApiProperty({ description: 'intended use and reasonably foreseeable misuse (ISO 14971 5.2)' })
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMITS.long)
  intendedUse: string;
  @ApiProperty({ description: "the product's criteria for risk acceptability (ISO 14971 4.4 d)" })
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMITS.long)
  acceptabilityPolicy: string;
  @ApiProperty({ enum: RISK_REVIEW_CADENCES }) @IsIn(RISK_REVIEW_CADENCES) reviewCadence: RiskReviewCadence;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'overall residual risk evaluation (ISO 14971 clause 8); who and when are recorded when it changes',
  })
  @ValidateIf((o: PutRiskPlanDto) => o.residualRiskStatement !== undefined && o.residualRiskStatement !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(TEXT_LIMITS.long)
  residualRiskStatement?: string | null;
  @ApiPropertyOptional({
    description: 'the version you read: a 409 if the plan has changed since (0: it must not exist yet)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  version?: number;
}

export class RiskPlanQueryDto extends PageQueryDto {}

export class RiskPlanView {
  @ApiProperty() product: string;
  @ApiProperty() scope: string;
  @ApiProperty() intendedUse: string;
  @ApiProperty() acceptabilityPolicy: string;
  @ApiProperty({ enum: RISK_REVIEW_CADENCES }) reviewCadence: RiskReviewCadence;
  @ApiProperty({ nullable: true, type: String }) residualRiskStatement: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'who last wrote the residual-risk statement (user id)' })
  residualStatementByUserId: string | null;
  @ApiProperty({ nullable: true, type: String }) residualStatementByName: string | null;
  @ApiProperty({ nullable: true, type: String }) residualStatementAt: string | null;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class RiskPlanVersionView {
  @ApiProperty() version: number;
  @ApiProperty({ description: 'user:<id>' }) actor: string;
  @ApiProperty() at: string;
  @ApiProperty({ type: [Object] }) changes: { field: string; from: unknown; to: unknown }[];
  @ApiProperty({ nullable: true, type: Object }) before: Record<string, unknown> | null;
  @ApiProperty({ type: Object }) after: Record<string, unknown>;
}
