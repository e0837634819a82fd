import { Inject, Injectable, Logger } from '@nestjs/common';
import { actorRef, type UserActor } from '../authz/actor';
import { FieldProblem, ValidationError } from '../common/errors/app-error';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { MAX_FILES_PER_ITEM, sourceFor } from './domain/evidence-model';
import { cleanFilename, nameForType } from './domain/file-names';
import { EvidenceView, UploadEvidenceFieldsDto, validated } from './dto/evidence.dto';
import { EvidenceItems } from './evidence-items';
import { EvidenceWriter, type NewFile } from './evidence-writer';
import { FileTypeRefusedError, UploadTooLargeError } from './evidence.errors';
import type { UploadPart } from './upload-parts';
import { StagedFile, UploadStaging } from './upload-staging';

/** Fields of a multipart upload that may be given more than once. */
const REPEATABLE_FIELDS = new Set(['controls']);

/** Multipart uploads of files as evidence: staged (hashed, counted, sniffed), checked, then stored. */
@Injectable()
export class EvidenceUploadService {
  private readonly log = new Logger('Evidence');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly staging: UploadStaging,
    private readonly writer: EvidenceWriter,
    private readonly items: EvidenceItems,
  ) {}

  /**
   * A multipart upload: one or more `file` parts and the item's fields. Files stream into staging (hashed,
   * counted, sniffed); once the request is read, the fields and types are checked and everything commits
   * in one transaction. Whatever happens, the staged files are removed.
   */
  async upload(actor: UserActor, parts: AsyncIterable<UploadPart>, declaredBytes?: number): Promise<EvidenceView> {
    const staged: StagedFile[] = [];
    const started = performance.now();
    if (declaredBytes !== undefined) await this.staging.ensureRoom(declaredBytes);
    try {
      const problems: FieldProblem[] = [];
      const fields = await this.readParts(parts, staged, problems);
      const dto = await fieldsDto(fields, problems);
      if (staged.length === 0) problems.push({ field: 'file', message: 'at least one file part is required' });
      for (const f of staged)
        if (!f.sniffed.ok && f.sniffed.reason === 'empty')
          problems.push({ field: 'file', message: `is empty (${cleanFilename(f.filename, 'file')})` });
      if (problems.length || !dto) throw new ValidationError(problems);
      const files = staged.map((f, i) => this.acceptedFile(f, i + 1));

      const checked = await this.writer.prepare(actor, dto);
      const read = performance.now();
      const id = await this.writer.commit({
        kind: 'file',
        title: dto.title,
        description: dto.description ?? null,
        source: sourceFor('file', actor.via),
        actor: actorRef(actor),
        ...checked,
        periodStart: dto.periodStart,
        periodEnd: dto.periodEnd,
        files,
      });
      const bytes = files.reduce((sum, f) => sum + f.size, 0);
      this.log.debug(
        `evidence ${id}: ${files.length} file(s), ${bytes} bytes, received and staged in ${Math.round(read - started)} ms, stored in ${Math.round(performance.now() - read)} ms`,
      );
      return this.items.get(actor, id);
    } finally {
      await this.staging.discard(staged);
    }
  }

  /** Reads the whole request: fields by name, files into `staged` (the caller discards them whatever happens). */
  private async readParts(
    parts: AsyncIterable<UploadPart>,
    staged: StagedFile[],
    problems: FieldProblem[],
  ): Promise<Map<string, string[]>> {
    const fields = new Map<string, string[]>();
    let tooLarge: UploadTooLargeError | null = null;
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.truncated) problems.push({ field: part.name, message: 'is too long' });
        fields.set(part.name, [...(fields.get(part.name) ?? []), part.value]);
        continue;
      }
      if (tooLarge || part.name !== 'file' || staged.length >= MAX_FILES_PER_ITEM) {
        if (part.name !== 'file')
          problems.push({ field: part.name, message: 'is not an allowed file field: send files as "file"' });
        await drain(part.stream);
        continue;
      }
      try {
        staged.push(await this.staging.stage(part.stream, part.filename, part.truncated));
      } catch (e) {
        // Keep reading the request (busboy discards the rest of that file) so the client gets the 413.
        if (!(e instanceof UploadTooLargeError)) throw e;
        tooLarge = e;
      }
    }
    if (tooLarge) throw tooLarge;
    return fields;
  }

  private acceptedFile(f: StagedFile, n: number): NewFile {
    const filename = cleanFilename(f.filename, `file-${n}`);
    const allowed = this.config.evidenceAllowedTypes;
    if (!f.sniffed.ok) throw new FileTypeRefusedError(filename, f.sniffed.detail, allowed);
    if (!allowed.includes(f.sniffed.mediaType))
      throw new FileTypeRefusedError(filename, `the content is ${f.sniffed.mediaType}, which is not allowed`, allowed);
    return {
      filename: nameForType(filename, f.sniffed.mediaType),
      mediaType: f.sniffed.mediaType,
      sha256: f.sha256,
      size: f.size,
      from: { path: f.path },
    };
  }
}

/** The upload's fields as the DTO, each problem added to `problems` (null when they do not validate). */
async function fieldsDto(
  fields: Map<string, string[]>,
  problems: FieldProblem[],
): Promise<UploadEvidenceFieldsDto | null> {
  const plain: Record<string, unknown> = {};
  for (const [name, values] of fields) {
    if (values.length > 1 && !REPEATABLE_FIELDS.has(name))
      problems.push({ field: name, message: 'must be given once' });
    plain[name] = REPEATABLE_FIELDS.has(name) ? values : values[0];
  }
  return validated(UploadEvidenceFieldsDto, plain).catch((e: unknown) => {
    if (e instanceof ValidationError) problems.push(...e.errors);
    else throw e;
    return null;
  });
}

/** Reads a stream to its end, discarding the bytes (a part that is refused still has to be consumed). */
async function drain(stream: NodeJS.ReadableStream | AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of stream as AsyncIterable<Buffer>) void _;
}
