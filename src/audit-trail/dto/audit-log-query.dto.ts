import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { DATE_OR_DATETIME } from '../domain/time-range';

/** Empty form fields (the page's filter form sends them) count as absent. */
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() || undefined : value;
const DATE_MESSAGE = '$property must be a date (2026-01-05) or a date-time with its time zone (2026-01-05T10:00:00Z)';

/** `GET /api/audit-trail` and the page: filters (all exact matches) and paging; newest entries first. */
export class AuditLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'user:4f0c…',
    description: 'Pseudonymous actor: user:<id>, system:<name> or anonymous',
  })
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ example: 'auth.login' })
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ example: 'User' })
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(64)
  subjectType?: string;

  @ApiPropertyOptional()
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  subjectId?: string;

  @ApiPropertyOptional({ example: '2026-01-05', description: 'From this date (a whole UTC day) or instant, inclusive' })
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(DATE_OR_DATETIME, { message: DATE_MESSAGE })
  from?: string;

  @ApiPropertyOptional({
    example: '2026-01-31',
    description: 'Up to this date (the whole UTC day included) or instant, inclusive',
  })
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(DATE_OR_DATETIME, { message: DATE_MESSAGE })
  to?: string;
}
