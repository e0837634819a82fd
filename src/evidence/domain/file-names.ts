// File names: what is kept of the client's name at upload, and the Content-Disposition header of a
// download (RFC 6266 with an RFC 8187 `filename*`). Pure. A name is only ever a label: never a path.

import { withoutControlCharacters } from '../../common/text/control-characters';
import { extensionFor } from '../../common/files/content-sniffer';

const MAX_NAME_CHARS = 200;

/**
 * The label kept for an uploaded file: the last path segment of what the client sent (either slash),
 * without control or bidi characters, trimmed to 200 characters (keeping the extension); `fallback`
 * when nothing is left.
 */
export function cleanFilename(name: string | undefined, fallback: string): string {
  const last = (name ?? '').split(/[/\\]/).pop() ?? '';
  let clean = withoutControlCharacters(last.normalize('NFC')).replace(/\s+/g, ' ').trim();
  clean = clean.replace(/^\.+/, ''); // no hidden files, no "..", no "."
  if ([...clean].length > MAX_NAME_CHARS) {
    const ext = clean.match(/(\.[A-Za-z0-9]{1,10})$/)?.[1] ?? '';
    clean = [...clean].slice(0, MAX_NAME_CHARS - ext.length).join('') + ext;
  }
  return clean === '' ? fallback : clean;
}

/** Other extensions that name a sniffed type correctly (beside extensionFor's). */
const ALSO_NAMED: Record<string, string[]> = {
  'image/jpeg': ['jpeg'],
  'text/plain': ['text', 'log'],
  'text/markdown': ['markdown'],
  'application/vnd.cyclonedx+json': ['json'],
  'application/vnd.cyclonedx+xml': ['xml'],
  'application/spdx+json': ['json'],
};

/**
 * The kept name with an extension that says what the content is: unchanged when it already ends with one
 * of the sniffed type's extensions, else that type's extension is added (`page.html` holding plain text is
 * kept as `page.html.txt`), so no download is opened as something other than what was checked.
 */
export function nameForType(name: string, mediaType: string): string {
  const lower = name.toLowerCase();
  const extensions = [extensionFor(mediaType), ...(ALSO_NAMED[mediaType] ?? [])];
  if (extensions.some((ext) => lower.endsWith(`.${ext}`) && lower.length > ext.length + 1)) return name;
  return `${name}.${extensions[0]}`;
}

/** An ASCII stand-in for `filename=` (old clients): non-ASCII, quotes, backslashes and `%` become `_`. */
export function asciiFilename(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
}

/** RFC 8187 value-chars: attr-char stays, everything else is percent-encoded UTF-8. */
function encodeRfc8187(name: string): string {
  return [...Buffer.from(name, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** `attachment; filename="<ascii>"; filename*=UTF-8''<encoded>` for a name already cleaned at upload. */
export function contentDisposition(name: string): string {
  const clean = cleanFilename(name, 'download');
  return `attachment; filename="${asciiFilename(clean)}"; filename*=UTF-8''${encodeRfc8187(clean)}`;
}
