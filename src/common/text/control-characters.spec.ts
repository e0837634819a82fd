import { cleanLabel, withoutControlCharacters } from './control-characters';

describe('withoutControlCharacters', () => {
  it.each([
    ['bidi override (Trojan Source)', 'evil\u202Efdp.exe', 'evilfdp.exe'],
    ['isolates and marks', '\u2066a\u2069\u200Eb\u200F\u061Cc', 'abc'],
    ['C0 and C1 controls', 'a\u0000b\u0007c\u009Fd\u007F', 'abcd'],
    ['Thai is kept', 'สมชาย ใจดี', 'สมชาย ใจดี'],
  ])('%s', (_label, input, expected) => {
    expect(withoutControlCharacters(input)).toBe(expected);
  });
});

describe('cleanLabel', () => {
  it.each([
    ['white space runs and tabs', '  Somchai\t\tJaidee \n', 'Somchai Jaidee'],
    ['a removed override between spaces', 'Mallory \u202E nimda', 'Mallory nimda'],
    ['NFC', 'Cafe\u0301', 'Café'],
    ['nothing visible', '\u202E\u202C ', ''],
  ])('%s', (_label, input, expected) => {
    expect(cleanLabel(input)).toBe(expected);
  });
});
