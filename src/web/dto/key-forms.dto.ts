// The key register pages' forms as the browser sends them: loose strings, bounded, so that a mistake reaches
// the page controller, which validates the API's DTO and shows the form again with the problem by its field.
import { formText } from './form-fields';

export class RegisterKeyFormDto {
  @formText(200) name?: string;
  @formText(200) system?: string;
  @formText(40) kind?: string;
  @formText(20) intervalDays?: string;
  @formText(300) ownerEmail?: string;
  @formText(60) department?: string;
}

export class AttestRotationFormDto {
  @formText(40) rotatedAt?: string;
  @formText(1000) note?: string;
  @formText(500) evidence?: string;
}
