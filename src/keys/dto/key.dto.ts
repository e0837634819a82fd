import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { KEY_KINDS, KEY_NAME, KEY_STATES, type KeyKind, type KeyState, type RotationSource } from '../domain/key-model';

/** An instant: an ISO 8601 date-time with its offset (Z or ±hh:mm), so no server zone guesses it. */
const INSTANT = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const DEPARTMENT = /^[a-z][a-z0-9-]{0,39}$/;

export class KeyParams {
  @ApiProperty({ example: 'stripe-live-api-key' })
  @Matches(KEY_NAME, { message: 'name must be a slug: 2-80 lower-case letters, digits and hyphens' })
  name: string;
}

export class KeyQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: KEY_STATES, description: 'only keys whose rotation clock is in this state' })
  @IsOptional()
  @IsIn(KEY_STATES, { message: `state must be one of ${KEY_STATES.join(', ')}` })
  state?: KeyState;

  @ApiPropertyOptional({ example: 'engineering', description: 'only keys of this department' })
  @IsOptional()
  @Matches(DEPARTMENT, { message: 'department must be a department key' })
  department?: string;
}

export class CreateKeyDto {
  @ApiProperty({ example: 'stripe-live-api-key', description: 'a slug naming the secret (never its value)' })
  @Matches(KEY_NAME, { message: 'name must be a slug: 2-80 lower-case letters, digits and hyphens' })
  name: string;

  @ApiProperty({ example: 'Stripe (payments)', description: 'the system the secret opens' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  system: string;

  @ApiProperty({ enum: KEY_KINDS, description: 'default interval from keyRotationDays in controls/release-gates.yaml' })
  @IsIn(KEY_KINDS, { message: `kind must be one of ${KEY_KINDS.join(', ')}` })
  kind: KeyKind;

  @ApiPropertyOptional({ minimum: 1, maximum: 366, description: "the key's own interval; omitted: the kind's" })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'intervalDays must be a whole number of days' })
  @Min(1)
  @Max(366)
  intervalDays?: number;

  @ApiProperty({ example: 'owner@demo.local', description: 'the e-mail address of the person who answers for it' })
  @IsEmail({}, { message: 'ownerEmail must be an e-mail address' })
  @MaxLength(254)
  ownerEmail: string;

  @ApiPropertyOptional({ example: 'engineering', description: "the department that manages it; omitted: the owner's" })
  @IsOptional()
  @Matches(DEPARTMENT, { message: 'department must be a department key' })
  department?: string;
}

export class RecordRotationDto {
  @ApiPropertyOptional({
    example: '2026-12-05T09:30:00+07:00',
    description: 'when the key was rotated (not in the future); omitted: now',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'rotatedAt must be a date-time with its time zone' })
  @Matches(INSTANT, { message: 'rotatedAt must be a date-time with its time zone (Z or +07:00)' })
  rotatedAt?: string;

  @ApiPropertyOptional({ example: 'rotated by the deploy pipeline', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;

  @ApiPropertyOptional({
    example: 'https://ci.example.com/runs/4821',
    description: 'where the rotation can be checked (a CI run, a ticket, a secrets-manager version)',
    maxLength: 500,
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  evidence?: string;
}

export interface KeyView {
  name: string;
  system: string;
  kind: KeyKind;
  intervalDays: number;
  /** True when the interval is the key's own, not its kind's default. */
  ownInterval: boolean;
  ownerUserId: string;
  ownerName: string | null;
  department: string;
  createdAt: string;
  lastRotatedAt: string | null;
  dueAt: string;
  remindAt: string;
  state: KeyState;
}

export interface RotationView {
  rotatedAt: string;
  source: RotationSource;
  actorUserId: string;
  actorName: string | null;
  note: string | null;
  evidence: string | null;
  recordedAt: string;
}

export interface KeyDetail extends KeyView {
  rotations: RotationView[];
}
