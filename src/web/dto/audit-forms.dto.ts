import { Transform, Type } from 'class-transformer';
import {
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
} from 'class-validator';
import { ENGAGEMENT_TEXT_LIMIT } from '../../engagements/domain/engagement-rules';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const FRAMEWORK_KEY = /^[a-z][a-z0-9-]{1,30}$/;
/** A checkbox group sends one value as a string and several as an array. */
const asList = ({ value }: { value: unknown }) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class EngagementPageParams {
  @IsUUID('all', { message: 'id must be an engagement id' }) id: string;
}

export class EngagementFrameworkParams extends EngagementPageParams {
  @Matches(FRAMEWORK_KEY, { message: 'framework must be a framework key like soc2' }) framework: string;
}

export class EngagementControlParams extends EngagementPageParams {
  @Matches(/^[A-Z]{2,5}-\d{2,3}$/, { message: 'key must be a control key like PRV-01' }) key: string;
}

export class EngagementControlQueryDto {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
}

/** "Open an engagement" on /audit/engagements; the expiry is a day (access ends at its end, Asia/Bangkok). */
export class OpenEngagementFormDto {
  @IsUUID('all', { message: 'auditorUserId must be a user id' }) auditorUserId: string;
  @Transform(asList)
  @IsArray()
  @Matches(FRAMEWORK_KEY, { each: true, message: 'frameworks must be framework keys' })
  frameworks: string[];
  @Matches(DAY, { message: 'from must be a date' }) from: string;
  @Matches(DAY, { message: 'to must be a date' }) to: string;
  @Matches(DAY, { message: 'expires must be a date' }) expires: string;
}

export class RequestFormDto {
  @Matches(FRAMEWORK_KEY, { message: 'framework must be a framework key' }) framework: string;
  @Transform(trimmed) @IsString() @MinLength(1) @MaxLength(40) requirementRef: string;
  @Transform(trimmed)
  @IsString()
  @MinLength(1, { message: 'write the request' })
  @MaxLength(ENGAGEMENT_TEXT_LIMIT)
  body: string;
}

/** The engagements page after a revocation names what was revoked. */
export class EngagementsPageQueryDto {
  @IsOptional() @IsUUID('all', { message: 'revoked must be an engagement id' }) revoked?: string;
}

/** Revoking needs `confirm=revoke` (the confirmation page's form); without it the page asks first. */
export class RevokeFormDto {
  @IsOptional() @IsIn(['revoke'], { message: 'confirm must be revoke' }) confirm?: string;
}

export class AnswerFormDto {
  @Transform(trimmed)
  @IsString()
  @MinLength(1, { message: 'write the answer' })
  @MaxLength(ENGAGEMENT_TEXT_LIMIT)
  answer: string;
}

export class RequestIdParams {
  @IsUUID('all', { message: 'id must be a request id' }) id: string;
}

/**
 * "Request a pack" on /audit (an engagement's form) and /audit/packs: flat strings, validated in the
 * controller as the API's RequestPackDto so that a refused form is shown again with what was typed.
 */
export class PackFormDto {
  @IsOptional() @IsString() @MaxLength(64) engagementId?: string;
  @IsOptional() @IsString() @MaxLength(64) framework?: string;
  @IsOptional() @IsString() @MaxLength(32) from?: string;
  @IsOptional() @IsString() @MaxLength(32) to?: string;
}

export class PackListQueryDto {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
}

export class PackPageParams {
  @IsUUID('all', { message: 'id must be a pack id' }) id: string;
}
