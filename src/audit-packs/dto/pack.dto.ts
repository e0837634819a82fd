import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { PACK_STATUSES, type PackStatus } from '../audit-pack.entity';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class RequestPackDto {
  @ApiProperty({ example: 'soc2', description: 'framework key' })
  @IsString()
  @MaxLength(64)
  framework: string;

  @ApiProperty({ example: '2026-01-01', description: 'first day of the period (Asia/Bangkok), YYYY-MM-DD' })
  @IsString()
  @Matches(DAY, { message: 'from must be a date written YYYY-MM-DD' })
  from: string;

  @ApiProperty({
    example: '2026-12-31',
    description: 'last day of the period (Asia/Bangkok), YYYY-MM-DD, not before from',
  })
  @IsString()
  @Matches(DAY, { message: 'to must be a date written YYYY-MM-DD' })
  to: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'auditors: the engagement the pack is asked under (default: the active one whose scope holds it)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'engagementId must be an engagement id' })
  engagementId?: string;
}

export class PackParams {
  @ApiProperty() @IsUUID('all', { message: 'id must be an audit pack id' }) id: string;
}

export class PackQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) framework?: string;
  @ApiPropertyOptional({ enum: PACK_STATUSES }) @IsOptional() @IsIn(PACK_STATUSES) status?: PackStatus;
  @ApiPropertyOptional() @IsOptional() @IsUUID() engagementId?: string;
}

export class PackFileView {
  @ApiProperty() sha256: string;
  @ApiProperty() bytes: number;
  @ApiProperty({ description: 'where to download it' }) download: string;
}

export class PackView {
  @ApiProperty() id: string;
  @ApiProperty() framework: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ enum: PACK_STATUSES }) status: PackStatus;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress: number;
  @ApiProperty({ nullable: true, type: String, description: 'collecting | rendering | signing | zipping | done' })
  stage: string | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ nullable: true, type: String }) engagementId: string | null;
  @ApiProperty({ description: 'pseudonymous reference of the first requester' }) requestedBy: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'SHA-256 of the signing certificate (DER)' })
  signerFingerprint: string | null;
  @ApiProperty({ nullable: true, type: PackFileView }) zip: PackFileView | null;
  @ApiProperty({ nullable: true, type: PackFileView }) pdf: PackFileView | null;
}

export class PackRequestedView {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'true when a pack of the same scope was already queued or building' }) joined: boolean;
}

export class PackVerificationView {
  @ApiProperty() ok: boolean;
  @ApiProperty({ type: [String] }) problems: string[];
  @ApiProperty({ nullable: true, type: String }) firstProblem: string | null;
}
