// The incident pages' forms as the browser sends them: flat text fields, checkboxes sharing a name. They are
// deliberately loose (strings, bounded) so that a mistake reaches the page controller, which turns the form
// into the API's DTO (see incident-forms.ts), validates it the way the API does, and re-renders the form
// with what was typed and each problem next to its field.
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { INCIDENT_CATEGORIES, INCIDENT_STATUSES, type IncidentStatus } from '../../incidents/domain/incident-model';
import { emptyToUndefined, formText, formTicked } from './form-fields';

const TEXT = 20_000;
const LINE = 500;
const Text = (max = TEXT): PropertyDecorator => formText(max);
const Ticked = (): PropertyDecorator => formTicked(LINE);

/** The register's filters: open (default) or all, status, severity, category, words in the title. */
export class IncidentPageQueryDto {
  @IsOptional() @Transform(emptyToUndefined) @IsIn(['open', 'all']) show?: 'open' | 'all';
  @IsOptional() @Transform(emptyToUndefined) @IsIn(INCIDENT_STATUSES) status?: IncidentStatus;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(10) severity?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsIn(INCIDENT_CATEGORIES) category?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(200) q?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

/** "Report an incident". Times are `datetime-local` (wall clock in the compliance zone); lists comma-separated. */
export class ReportIncidentFormDto {
  @Text(LINE) title?: string;
  @Text() description?: string;
  @Text(10) severity?: string;
  @Ticked() categories?: string[];
  @Text(40) detectedAt?: string;
  @Text(40) awareAt?: string;
  @Text(5000) affectedSystems?: string;
  @Text(5000) products?: string;
  @Text(5000) customers?: string;
  @Text(60) adverseEventCategory?: string;
}

export class TimelineFormDto {
  @Text(40) kind?: string;
  @Text(5000) text?: string;
  @Text(40) at?: string;
}

/** Status, severity (with why) and commander: one form; unchanged fields are left as they are. */
export class ChangeIncidentFormDto {
  @Text(12) version?: string;
  @Text(20) status?: string;
  @Text(10) severity?: string;
  @Text(2000) severityReason?: string;
  @Text(40) commanderUserId?: string;
}

/**
 * "Correct the facts": what was recorded at report time, prefilled; only what differs from the incident is
 * sent on (times are `datetime-local` in the compliance zone, lists comma-separated).
 */
export class IncidentFactsFormDto {
  @Text(12) version?: string;
  @Text(LINE) title?: string;
  @Text() description?: string;
  @Ticked() categories?: string[];
  @Text(40) awareAt?: string;
  @Text(5000) affectedSystems?: string;
  @Text(5000) products?: string;
  @Text(5000) customers?: string;
  @Text(60) adverseEventCategory?: string;
  @Text(40) fscaStartedAt?: string;
  @Text(40) fscaClosedAt?: string;
}

/** The breach assessment: the six clause-12 factors as `<factor>Level` and `<factor>Note`. */
export class BreachAssessmentFormDto {
  @Ticked() types?: string[];
  @Text(6000) dataCategories?: string;
  @Text(10) sensitive?: string;
  @Text(20) subjectsApprox?: string;
  @Text(20) recordsApprox?: string;
  @Text(10) natureLevel?: string;
  @Text(2000) natureNote?: string;
  @Text(10) dataTypeAndVolumeLevel?: string;
  @Text(2000) dataTypeAndVolumeNote?: string;
  @Text(10) subjectVulnerabilityLevel?: string;
  @Text(2000) subjectVulnerabilityNote?: string;
  @Text(10) consequenceSeverityLevel?: string;
  @Text(2000) consequenceSeverityNote?: string;
  @Text(10) widerEffectsLevel?: string;
  @Text(2000) widerEffectsNote?: string;
  @Text(10) safeguardsLevel?: string;
  @Text(2000) safeguardsNote?: string;
  @Text(5000) likelyConsequences?: string;
  @Text(5000) measuresTaken?: string;
  @Text(5000) measuresProposed?: string;
  @Text(20) decision?: string;
  @Text(5000) reasons?: string;
}

export class NoticeFormDto {
  @Text(20) kind?: string;
  @Text(40) sentAt?: string;
  @Text(LINE) channel?: string;
  @Text(LINE) reference?: string;
  @Text(20) recipientsCount?: string;
  @Text(5000) lateReason?: string;
}

export class CapaFormDto {
  @Text(LINE) title?: string;
  @Text(40) ownerUserId?: string;
  @Text(20) dueOn?: string;
}

/** Closing a CAPA: done (with the evidence that verifies it) or accepted (with why). */
export class CloseCapaFormDto {
  @Text(10) status?: string;
  @Text(40) verificationEvidenceId?: string;
  @Text(5000) note?: string;
}

export class ReviewFormDto {
  @Text(10_000) cause?: string;
  @Text(10_000) wentWell?: string;
  @Text(10_000) toChange?: string;
}
