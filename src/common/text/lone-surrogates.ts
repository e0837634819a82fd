// Text that is not Unicode: a JSON string may escape half of a surrogate pair ("\ud800") with no other half.
// Such a string cannot be encoded (encodeURI throws on it, which made class-validator's @IsEmail a 500), and
// stored it would come back as U+FFFD. Refused up front like NUL characters (nul-character-rule.ts).

export const LONE_SURROGATE_CODE = 'request.invalid_unicode';
export const LONE_SURROGATE_MESSAGE = 'must be valid Unicode text (it holds half of a UTF-16 surrogate pair)';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
