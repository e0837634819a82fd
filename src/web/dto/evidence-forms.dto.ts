import { IsUUID, Matches } from 'class-validator';

/** The control page's "Correct" form: the control shown and the evidence item corrected. */
export class CorrectEvidenceParams {
  @Matches(/^[A-Z]{2,5}-\d{2,3}$/, { message: 'key must be a control key like PRV-01' }) key: string;
  @IsUUID('all', { message: 'id must be an evidence id' }) id: string;
}
