// The document pages' forms as the browser sends them: flat text fields, checkboxes sharing a name. Loose on
// purpose (strings, bounded) so that a mistake reaches the page controller, which turns the form into the
// documents API's DTO (see document-forms.ts), validates it as the API does and shows the form again with
// what was typed and each problem next to its field.
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DOCUMENT_LIMITS, DOCUMENT_TYPES, type DocumentType } from '../../documents/domain/document-model';
import { emptyToUndefined, formText, formTicked } from './form-fields';

const LINE = 500;
const Text = (max = LINE): PropertyDecorator => formText(max);
const Ticked = (): PropertyDecorator => formTicked(LINE);

/** The list's filters: words in the key or title, type, owner department, paging. */
export class DocumentListQueryDto {
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(200) q?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsIn(DOCUMENT_TYPES) type?: DocumentType;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(40) department?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

/** A version number from the query: empty is "not given"; anything else a number for validation to judge. */
const versionNumber = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : typeof value === 'string' ? Number(value) : value;

/** A document page: `?version=n` shows that version; `?diff=n&against=m` compares two. */
export class DocumentPageQueryDto {
  @IsOptional() @Transform(versionNumber) @IsInt() @Min(1) version?: number;
  @IsOptional() @Transform(versionNumber) @IsInt() @Min(1) diff?: number;
  @IsOptional() @Transform(versionNumber) @IsInt() @Min(1) against?: number;
}

/** "New document". */
export class NewDocumentFormDto {
  @Text(100) key?: string;
  @Text(1000) title?: string;
  @Text(40) type?: string;
  @Text(100) ownerDepartment?: string;
  @Text(10) everyone?: string;
  @Ticked() roles?: string[];
  @Ticked() departments?: string[];
  @Text(20) reviewCadenceMonths?: string;
  @Text(5000) controls?: string;
}

/** A new version, or a draft changed. The content's limit is the API's (the API names the field past it). */
export class VersionFormDto {
  @Text(DOCUMENT_LIMITS.content + 1) content?: string;
  @Text(DOCUMENT_LIMITS.changeSummary + 1) changeSummary?: string;
  @Text(10) material?: string;
  @Text(40) effectiveOn?: string;
}

export class SignFormDto {
  @Text(1024) password?: string;
  @Text(20) meaning?: string;
}

export class RejectFormDto {
  @Text(DOCUMENT_LIMITS.reason + 1) reason?: string;
}

export class RetireFormDto {
  @Text(DOCUMENT_LIMITS.reason + 1) reason?: string;
}

export class PublishFormDto {
  @Text(40) effectiveOn?: string;
}

/** Forms without fields (submit, acknowledge): only the anti-forgery token and the form key, removed before. */
export class EmptyFormDto {}
