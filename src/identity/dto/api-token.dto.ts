import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import type { ApiToken } from '../api-token.entity';

export const MAX_TOKEN_DAYS = 365;

export class CreateApiTokenDto {
  @ApiProperty({ example: 'CI pipeline: evidence upload' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TOKEN_DAYS, default: 90 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TOKEN_DAYS)
  expiresInDays?: number;
}

export class ApiTokenListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeRevoked?: boolean;
}

export class ApiTokenView {
  @ApiProperty() id: string;
  @ApiProperty() userId: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'atk_Xy12ab', description: 'the first characters of the token' }) tokenPrefix: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;
}

export function apiTokenView(t: ApiToken): ApiTokenView {
  return {
    id: t.id,
    userId: t.userId,
    name: t.name,
    tokenPrefix: t.tokenPrefix,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

export class CreatedApiTokenView extends ApiTokenView {
  @ApiProperty({ description: 'the token itself, shown this once only: use it as `Authorization: Bearer <token>`' })
  token: string;
}
