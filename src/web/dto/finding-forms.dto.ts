// The finding page's forms as the browser sends them: loose strings, bounded, so that a mistake reaches the
// page controller, which validates the API's DTO and shows the form again with the problem next to its field.
import { formText } from './form-fields';

export class FixFindingFormDto {
  @formText(100) evidenceId?: string;
  @formText(4000) note?: string;
}

export class RetestFindingFormDto {
  @formText(20) result?: string;
}

export class AcceptFindingFormDto {
  @formText(4000) reason?: string;
  @formText(20) expiresOn?: string;
  @formText(1024) password?: string;
}
