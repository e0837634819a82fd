// Reading one attachment from a multipart request: a single `file` part, held in memory up to the kind's
// limit (ATTACHMENT_MAX_BYTES, at most 20 MB). Past the limit the rest of the part is drained unread and the
// request answers 413 naming the field; nothing is stored.
import { TooLargeError, ValidationError } from '../common/errors/app-error';
import type { UploadPart } from '../evidence/upload-parts';

export interface AttachmentFile {
  filename: string;
  bytes: Buffer;
}

export async function readAttachment(parts: AsyncIterable<UploadPart>, limit: number): Promise<AttachmentFile> {
  let file: AttachmentFile | null = null;
  let tooLarge = false;
  let extra = false;
  for await (const part of parts) {
    if (part.type !== 'file') continue;
    if (part.name !== 'file' || file || tooLarge) {
      extra = true;
      for await (const _ of part.stream) void _;
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of part.stream) {
      size += (chunk as Buffer).length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk as Buffer);
    }
    if (part.truncated()) tooLarge = true;
    if (!tooLarge) file = { filename: part.filename, bytes: Buffer.concat(chunks) };
  }
  if (tooLarge) throw new TooLargeError(limit, 'release.attachment_too_large');
  if (extra) throw new ValidationError([{ field: 'file', message: 'send exactly one file part named "file"' }]);
  if (!file) throw new ValidationError([{ field: 'file', message: 'a file part named "file" is required' }]);
  if (file.bytes.length === 0) throw new ValidationError([{ field: 'file', message: 'is empty' }]);
  return file;
}
