// Field decorators shared by the pages' form DTOs: forms are loose on purpose (bounded strings) so that a
// mistake reaches the page controller, which validates with the API's own DTO and shows the form again.
import { Transform } from 'class-transformer';
import { IsArray, IsOptional, IsString, MaxLength } from 'class-validator';

/** A form's empty field is "not given"; text is trimmed. */
export const emptyToUndefined = ({ value }: { value: unknown }) =>
  value === '' ? undefined : typeof value === 'string' ? value.trim() : value;

/** Ticked checkboxes sharing a name arrive as one string, an array of them, or nothing. */
const ticked = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value];

/** An optional text field of at most `max` characters. */
export const formText = (max: number): PropertyDecorator => {
  const decorators = [IsOptional(), IsString(), MaxLength(max)];
  return (target, key) => decorators.forEach((d) => d(target, key));
};

/** Checkboxes sharing a name: always an array of strings of at most `max` characters each. */
export const formTicked = (max = 500): PropertyDecorator => {
  const decorators = [
    IsOptional(),
    Transform(ticked),
    IsArray(),
    IsString({ each: true }),
    MaxLength(max, { each: true }),
  ];
  return (target, key) => decorators.forEach((d) => d(target, key));
};
