import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { DocumentTypePolicy } from './domain/document-approvals';
import type { DocumentType } from './domain/document-model';
import { loadDocumentTypes, type DocumentTypes } from './document-types-loader';
import { DocumentTypesInvalidError } from './documents.errors';

/**
 * controls/document-types.yaml, loaded once (a change is a reviewed commit and a restart). An invalid file
 * does not stop the start; document routes that need it answer 422 until it is fixed, and it is said at start.
 */
@Injectable()
export class DocumentTypesService implements OnApplicationBootstrap {
  private readonly log = new Logger('DocumentTypes');
  private loaded: DocumentTypes | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    try {
      this.types();
    } catch (e) {
      if (!(e instanceof DocumentTypesInvalidError)) throw e;
      this.log.error(`${e.message}\ndocument routes answer 422 until controls/document-types.yaml is fixed`);
    }
  }

  types(): DocumentTypes {
    if (!this.loaded) {
      const { types, problems } = loadDocumentTypes(this.config.controlsDir);
      if (!types) throw new DocumentTypesInvalidError(problems);
      this.loaded = types;
    }
    return this.loaded;
  }

  of(type: DocumentType): DocumentTypePolicy {
    return this.types()[type];
  }
}
