// The release pages' forms as the browser sends them: loose strings, bounded, so that a mistake reaches the
// page controller, which validates the API's DTO and shows the form again with the problem next to its field.
import { Matches } from 'class-validator';
import { ReleaseParams } from '../../releases/dto/release.dto';
import { formText } from './form-fields';

/** A gate's sign form: the password again and, for the clause 9 review, the report's hash shown on the page. */
export class SignGateFormDto {
  @formText(1024) password?: string;
  @formText(100) reportSha256?: string;
}

export class GateFormParams extends ReleaseParams {
  @Matches(/^[a-z0-9_]{1,64}$/, { message: 'gate must be a gate key' }) gate: string;
}
