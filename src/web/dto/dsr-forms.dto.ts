import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
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
  ValidateIf,
} from 'class-validator';
import { DSR_RIGHTS, type DsrRight } from '../../dsr/domain/dsr-clocks';
import { ERASURE_GROUNDS, OBJECTION_GROUNDS } from '../../dsr/domain/dsr-grounds';
import { DSR_STATUSES, FORM_CHANNELS, type DsrChannel, type DsrStatus } from '../../dsr/domain/dsr-model';
import { parseDate, zonedInstant } from '../../common/time/calendar';
import { isCalendarDate } from '../../common/time/days';
import { emptyToUndefined } from './form-fields';

/** A checkbox: present ("1", "on", "true") or absent. */
const checkbox = ({ value }: { value: unknown }) =>
  value === '' || value === undefined
    ? undefined
    : value === '1' || value === 'on' || value === 'true'
      ? true
      : value === '0' || value === 'false'
        ? false
        : value;
/** Ticked checkboxes sharing a name arrive as one string, an array of them, or nothing; positions as numbers. */
const positions = ({ value }: { value: unknown }) =>
  (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]).map((v: unknown) =>
    typeof v === 'string' && /^\d{1,3}$/.test(v) ? Number(v) : v,
  );

/**
 * `datetime-local` gives "2026-01-05T09:30" without a zone: the page's times are in the compliance time zone
 * (TZ_COMPLIANCE, ICT by default), so the wall-clock time is turned into that instant. Anything else is
 * left for the validation to name.
 */
export const bangkokLocal = ({ value }: { value: unknown }) => {
  if (value === '' || value === undefined) return undefined;
  const m = typeof value === 'string' ? /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim()) : null;
  if (!m || !isCalendarDate(m[1]) || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4] ?? 0) > 59) return value;
  const at = zonedInstant(parseDate(m[1]), Number(m[2]), Number(m[3]));
  return new Date(at.getTime() + Number(m[4] ?? 0) * 1000).toISOString();
};

/** The queue's filters (a select left on "any" sends an empty value). */
export class DsrPageQueryDto {
  @IsOptional() @Transform(emptyToUndefined) @IsIn(DSR_STATUSES) status?: DsrStatus;
  @IsOptional() @Transform(emptyToUndefined) @IsIn(DSR_RIGHTS) right?: DsrRight;
  @IsOptional() @Transform(checkbox) @IsBoolean({ message: 'open must be a checkbox' }) open?: boolean;
  @IsOptional() @Transform(checkbox) @IsBoolean({ message: 'overdue must be a checkbox' }) overdue?: boolean;
  @IsOptional() @Transform(checkbox) @IsBoolean({ message: 'drills must be a checkbox' }) drills?: boolean;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(40) q?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

const anyRequester = (o: NewDsrFormDto) => !!(o.requesterName || o.requesterContact || o.requesterRelationship);

/** "New request" on the queue: the subject's identity in flat fields, the representative optional. */
export class NewDsrFormDto {
  @IsIn(DSR_RIGHTS) right: DsrRight;
  @IsIn(FORM_CHANNELS) channel: DsrChannel;
  @IsOptional()
  @Transform(bangkokLocal)
  @IsISO8601({ strict: true }, { message: 'receivedAt must be a date and time' })
  receivedAt?: string;
  @Transform(emptyToUndefined)
  @IsString({ message: 'subjectName is required' })
  @MinLength(1)
  @MaxLength(500)
  subjectName: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(254) subjectEmail?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(40) subjectPhone?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(20) subjectNationalId?: string;
  /** Objection: the s. 32 para 1 ground (the queue's form has one select per right that takes a ground). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(OBJECTION_GROUNDS, { message: `objectionGround must be one of ${OBJECTION_GROUNDS.join(', ')}` })
  objectionGround?: string;
  /** Erasure: the s. 33 para 1 ground. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(ERASURE_GROUNDS, { message: `erasureGround must be one of ${ERASURE_GROUNDS.join(', ')}` })
  erasureGround?: string;
  @ValidateIf(anyRequester)
  @Transform(emptyToUndefined)
  @IsString({ message: 'requesterName is required when a representative asks' })
  @MaxLength(500)
  requesterName?: string;
  @ValidateIf(anyRequester)
  @Transform(emptyToUndefined)
  @IsString({ message: 'requesterContact is required when a representative asks' })
  @MaxLength(500)
  requesterContact?: string;
  @ValidateIf(anyRequester)
  @Transform(emptyToUndefined)
  @IsString({ message: 'requesterRelationship is required when a representative asks' })
  @MaxLength(200)
  requesterRelationship?: string;
  /** Rectification: one "column = value" per line. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(20_000)
  @Matches(/^(\s*[A-Za-z_][A-Za-z0-9_]*\s*=[^\n]*(\n|$))+$/, {
    message: 'changes: write one "column = value" per line',
  })
  changes?: string;
}

/** Rectification's corrected values from the form's lines. */
export function parseChanges(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf('=');
    if (at < 0) continue;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** A request's page: `result` names the form submission whose one-time result (a download link) to show. */
export class RequestPageQueryDto {
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{16,64}$/, { message: 'result must be a form key' })
  result?: string;
}

/** "Erase": the grace period is always sent (the field is filled with the default; 0 erases now). */
export class EraseFormDto {
  @Transform(({ value }: { value: unknown }) =>
    value === '' || value === undefined
      ? undefined
      : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : value,
  )
  @IsInt({ message: 'graceDays must be a whole number of days (0 erases now)' })
  @Min(0)
  @Max(30)
  graceDays: number;
}

/** "Import YAML" on the data systems page. */
export class ImportSystemsFormDto {
  @Transform(emptyToUndefined) @IsString({ message: 'yaml is required' }) @MaxLength(1_000_000) yaml: string;
}

/** A manual task's outcome: the ticked items (by position) of a checklist of `items` entries, and a note. */
export class CompleteTaskFormDto {
  @Transform(emptyToUndefined) @IsString({ message: 'note is required' }) @MinLength(1) @MaxLength(2000) note: string;
  @Type(() => Number) @IsInt() @Min(0) @Max(100) items: number;
  @IsOptional()
  @Transform(positions)
  @IsInt({ each: true, message: 'done must be checklist positions' })
  @Min(0, { each: true })
  done?: number[];
}
