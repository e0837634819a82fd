import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AuditLogQueryDto } from '../../audit-trail/dto/audit-log-query.dto';

/**
 * The audit-trail page's filter: the API's, plus a person (an e-mail address, part of a name, or an actor
 * reference such as `user:<id>` or `system:cli`). The page reads `from`/`to` days in the compliance zone.
 */
export class AuditTrailPageQueryDto extends AuditLogQueryDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() || undefined : value))
  @IsOptional()
  @IsString()
  @MaxLength(254)
  person?: string;
}
