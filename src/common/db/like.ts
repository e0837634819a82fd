/**
 * A LIKE/ILIKE pattern matching values that contain `text` literally: its own `%`, `_` and `\` are escaped
 * (PostgreSQL's default escape character is the backslash), so "50%" finds "50%", not "50" and anything after.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}
