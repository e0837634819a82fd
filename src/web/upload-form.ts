import type { UploadPart } from '../evidence/upload-parts';

/** The form's parts, with the fields the page decides (control, dates, the item corrected) put first. */
export async function* withFields(
  parts: AsyncIterable<UploadPart>,
  fields: Record<string, string>,
): AsyncGenerator<UploadPart> {
  for (const [name, value] of Object.entries(fields)) yield { type: 'field', name, value, truncated: false };
  for await (const part of parts) {
    if (part.type === 'field' && Object.prototype.hasOwnProperty.call(fields, part.name)) continue; // the page decides these, not the form
    yield part;
  }
}

/**
 * The parts as they pass, with the text fields named in `keep` copied into `typed` (the first value of each,
 * at most `max` characters): a refused upload shows its form again with what was typed.
 */
export async function* recordingFields(
  parts: AsyncIterable<UploadPart>,
  keep: readonly string[],
  typed: Record<string, string>,
  max = 4000,
): AsyncGenerator<UploadPart> {
  for await (const part of parts) {
    if (part.type === 'field' && keep.includes(part.name) && !Object.prototype.hasOwnProperty.call(typed, part.name))
      typed[part.name] = part.value.slice(0, max);
    yield part;
  }
}
