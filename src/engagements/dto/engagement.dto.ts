import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import {
  ENGAGEMENT_REQUEST_STATUSES,
  ENGAGEMENT_TEXT_LIMIT,
  type EngagementRequestStatus,
} from '../domain/engagement-rules';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const FRAMEWORK_KEY = /^[a-z][a-z0-9-]{1,30}$/;

export class EngagementParams {
  @ApiProperty() @IsUUID('all', { message: 'id must be an engagement id' }) id: string;
}

export class EngagementRequestParams {
  @ApiProperty() @IsUUID('all', { message: 'id must be an engagement request id' }) id: string;
}

export class CreateEngagementDto {
  @ApiProperty({ description: 'the auditor (a user with role auditor)' })
  @IsUUID('all', { message: 'auditorUserId must be a user id' })
  auditorUserId: string;

  @ApiProperty({ type: [String], example: ['soc2'], description: 'framework keys in scope' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @Matches(FRAMEWORK_KEY, { each: true, message: 'frameworks must be framework keys like soc2' })
  frameworks: string[];

  @ApiProperty({ example: '2026-01-01', description: 'first day of the audit period (Asia/Bangkok)' })
  @Matches(DAY, { message: 'from must be a date written YYYY-MM-DD' })
  from: string;

  @ApiProperty({ example: '2026-12-31', description: 'last day of the audit period (Asia/Bangkok), included' })
  @Matches(DAY, { message: 'to must be a date written YYYY-MM-DD' })
  to: string;

  @ApiProperty({
    example: '2027-03-31T23:59:59+07:00',
    description: 'when access ends by itself (must be in the future)',
  })
  @IsISO8601({ strict: true }, { message: 'expiresAt must be a date-time with its time zone' })
  expiresAt: string;
}

export class EngagementQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'only those active now (not revoked, not expired)' })
  @IsOptional()
  @IsIn(['1', 'true', '0', 'false'])
  active?: string;
}

export class CreateEngagementRequestDto {
  @ApiProperty({ example: 'soc2' })
  @Matches(FRAMEWORK_KEY, { message: 'framework must be a framework key like soc2' })
  framework: string;
  @ApiProperty({ example: 'CC6.1' }) @IsString() @MinLength(1) @MaxLength(40) requirementRef: string;
  @ApiProperty({ description: 'the request or comment' })
  @IsString()
  @MinLength(1)
  @MaxLength(ENGAGEMENT_TEXT_LIMIT)
  body: string;
}

export class AnswerEngagementRequestDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(ENGAGEMENT_TEXT_LIMIT) answer: string;
}

export class EngagementRequestQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ENGAGEMENT_REQUEST_STATUSES })
  @IsOptional()
  @IsIn(ENGAGEMENT_REQUEST_STATUSES)
  status?: EngagementRequestStatus;
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all', { message: 'engagement must be an engagement id' })
  engagement?: string;
}

export class EngagementView {
  @ApiProperty() id: string;
  @ApiProperty() auditorUserId: string;
  @ApiProperty({ nullable: true, type: String }) auditorName: string | null;
  @ApiProperty({ type: [String] }) frameworks: string[];
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) state: 'active' | 'expired' | 'revoked';
  @ApiProperty({ nullable: true, type: String, description: 'null: opened by the system (demo data)' })
  createdByUserId: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;
}

export class EngagementRequestView {
  @ApiProperty() id: string;
  @ApiProperty() engagementId: string;
  @ApiProperty() framework: string;
  @ApiProperty() requirementRef: string;
  @ApiProperty() body: string;
  @ApiProperty() createdBy: string;
  @ApiProperty({ nullable: true, type: String }) createdByName: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ enum: ENGAGEMENT_REQUEST_STATUSES }) status: EngagementRequestStatus;
  @ApiProperty({ nullable: true, type: String }) answer: string | null;
  @ApiProperty({ nullable: true, type: String }) answeredBy: string | null;
  @ApiProperty({ nullable: true, type: String }) answeredByName: string | null;
  @ApiProperty({ nullable: true, type: String }) answeredAt: string | null;
}
