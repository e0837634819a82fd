import { Body, Controller, Get, Param, Post, Query, Render, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type {} from '@fastify/view'; // reply.view()
import type { AppAbility } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import { asSubject } from '../authz/subject';
import { ForbiddenError, type ValidationError } from '../common/errors/app-error';
import { AcknowledgementParams } from '../documents/dto/acknowledgement.dto';
import {
  CreateDocumentDto,
  CreateVersionDto,
  DocumentParams,
  PublishVersionDto,
  RejectVersionDto,
  RetireDocumentDto,
  SignVersionDto,
  UpdateVersionDto,
  VersionParams,
  type VersionView,
} from '../documents/dto/document.dto';
import { DocumentAcknowledgementsService } from '../documents/document-acknowledgements.service';
import { DocumentSignaturesService } from '../documents/document-signatures.service';
import { DocumentVersionsService } from '../documents/document-versions.service';
import { DocumentsService } from '../documents/documents.service';
import { DepartmentsService } from '../identity/departments.service';
import { UsersService } from '../identity/users.service';
import { documentCsvColumns, documentListPage, documentPage, myAcknowledgementsPage } from './document.page';
import { allRows, sendCsv } from './list-csv';
import { dayOf } from '../common/time/days';
import {
  newDocumentBody,
  refusedDocumentForm,
  versionBody,
  type DocumentFormName,
  type DocumentFormState,
} from './document-forms';
import {
  DocumentListQueryDto,
  DocumentPageQueryDto,
  NewDocumentFormDto,
  PublishFormDto,
  RejectFormDto,
  RetireFormDto,
  SignFormDto,
  VersionFormDto,
} from './dto/document-forms.dto';
import { FormIdempotency, FormKey, FormKeyInterceptor, newFormKey } from './form-idempotency';
import { refusalStatus } from './form-refusal';
import { validated } from './incident-forms';
import { viewUser } from './view-context.interceptor';

/** Where a page form is shown again when refused. */
type Page = { kind: 'list' } | { kind: 'document'; key: string } | { kind: 'acknowledgements' };

/**
 * The controlled-document pages (issue 17): the list with the "new document" form, a document (the version
 * in force, the one on its way with its approvals, versions, a diff, the roster) with the forms of its
 * lifecycle, and "my acknowledgements". Every form calls the documents services once per idempotency key
 * and answers 303 (post/redirect/get); a refused form (400, 403, 409, 422) is shown again with what was
 * typed (never a password) and the problems next to their fields, as the API words them.
 */
@ApiExcludeController()
@Controller()
@UseInterceptors(FormKeyInterceptor)
export class DocumentPagesController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly versions: DocumentVersionsService,
    private readonly signatures: DocumentSignaturesService,
    private readonly acknowledgements: DocumentAcknowledgementsService,
    private readonly departments: DepartmentsService,
    private readonly users: UsersService,
    private readonly forms: FormIdempotency,
  ) {}

  @Get('documents')
  @Policy('read', 'Document')
  @Render('documents')
  list(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Query() query: DocumentListQueryDto) {
    return this.listPage(actor, ability, query, null);
  }

  /** The filtered list, every page of it, as CSV. */
  @Get('documents/export.csv')
  @Policy('read', 'Document')
  async listCsv(@CurrentActor() actor: UserActor, @Query() query: DocumentListQueryDto, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.documents.list(actor, { ...query, ...page }));
    await sendCsv(reply, 'documents', documentCsvColumns(dayOf(new Date())), rows);
  }

  @Post('documents')
  @Policy('create', 'Document')
  async create(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Body() form: NewDocumentFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.submit({ reply, actor, ability, key, name: 'new', page: { kind: 'list' }, values: form }, async () => {
      const doc = await this.documents.create(actor, await validated(CreateDocumentDto, newDocumentBody(form)));
      return `/documents/${doc.key}`;
    });
  }

  @Get('documents/:key')
  @Policy('read', 'Document')
  @Render('document')
  document(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: DocumentParams,
    @Query() query: DocumentPageQueryDto,
  ) {
    return this.documentPage(actor, ability, p.key, query, null);
  }

  @Post('documents/:key/versions')
  @Policy('create', 'DocumentVersion')
  async createVersion(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: DocumentParams,
    @Body() form: VersionFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = { kind: 'document', key: p.key } as const;
    await this.submit({ reply, actor, ability, key, name: 'version', page, values: form }, async () => {
      const v = await this.versions.create(actor, p.key, await validated(CreateVersionDto, versionBody(form)));
      return `/documents/${p.key}#open-version-${v.number}`;
    });
  }

  @Post('documents/:key/versions/:n')
  @Policy('update', 'DocumentVersion')
  async editVersion(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: VersionParams,
    @Body() form: VersionFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = { kind: 'document', key: p.key } as const;
    await this.submit({ reply, actor, ability, key, name: 'edit', page, values: form }, async () => {
      await this.versions.update(actor, p.key, p.n, await validated(UpdateVersionDto, versionBody(form)));
      return `/documents/${p.key}#open-version-${p.n}`;
    });
  }

  @Post('documents/:key/versions/:n/submit')
  @Policy('update', 'DocumentVersion')
  async submitVersion(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: VersionParams,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = { kind: 'document', key: p.key } as const;
    await this.submit({ reply, actor, ability, key, name: 'submit', page, values: {} }, async () => {
      await this.versions.submit(actor, p.key, p.n);
      return `/documents/${p.key}#open-version-${p.n}`;
    });
  }

  @Post('documents/:key/versions/:n/sign')
  @Policy('create', 'DocumentSignature')
  async sign(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: VersionParams,
    @Body() form: SignFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = { kind: 'document', key: p.key } as const;
    await this.submit({ reply, actor, ability, key, name: 'sign', page, values: form }, async () => {
      const dto = await validated(SignVersionDto, { password: form.password ?? '', meaning: form.meaning ?? '' });
      await this.signatures.sign(actor, p.key, p.n, dto);
      return `/documents/${p.key}#open-version-${p.n}`;
    });
  }

  @Post('documents/:key/versions/:n/reject')
  @Policy('create', 'DocumentSignature')
  async reject(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: VersionParams,
    @Body() form: RejectFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = { kind: 'document', key: p.key } as const;
    await this.submit({ reply, actor, ability, key, name: 'reject', page, values: form }, async () => {
      await this.signatures.reject(actor, p.key, p.n, await validated(RejectVersionDto, { reason: form.reason ?? '' }));
      return `/documents/${p.key}#open-version-${p.n}`;
    });
  }

  @Post('documents/:key/versions/:n/publish')
  @Policy('manage', 'Document')
  async publish(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: VersionParams,
    @Body() form: PublishFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = { kind: 'document', key: p.key } as const;
    await this.submit({ reply, actor, ability, key, name: 'publish', page, values: form }, async () => {
      const body = { effectiveOn: form.effectiveOn ? form.effectiveOn : undefined };
      await this.versions.publish(actor, p.key, p.n, await validated(PublishVersionDto, body));
      return `/documents/${p.key}`;
    });
  }

  @Post('documents/:key/retire')
  @Policy('manage', 'Document')
  async retire(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: DocumentParams,
    @Body() form: RetireFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = { kind: 'document', key: p.key } as const;
    await this.submit({ reply, actor, ability, key, name: 'retire', page, values: form }, async () => {
      await this.versions.retire(actor, p.key, await validated(RetireDocumentDto, { reason: form.reason ?? '' }));
      return `/documents/${p.key}`;
    });
  }

  @Get('me/acknowledgements')
  @Policy('read', 'DocumentAcknowledgement')
  @Render('my-acknowledgements')
  mine(@CurrentActor() actor: UserActor) {
    return this.acknowledgementsPage(actor, null);
  }

  @Post('me/acknowledgements/:id/acknowledge')
  @Policy('update', 'DocumentAcknowledgement')
  async acknowledge(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: AcknowledgementParams,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = { kind: 'acknowledgements' } as const;
    await this.submit({ reply, actor, ability, key, name: `acknowledge:${p.id}`, page, values: {} }, async () => {
      await this.acknowledgements.acknowledge(actor, p.id);
      return `/me/acknowledgements#acknowledgement-${p.id}`;
    });
  }

  /**
   * Runs the form once per key and answers 303 to where it leads; a refused form (400, 403, 409, 422) is
   * shown again on its page with what was typed and why.
   */
  private async submit(
    s: {
      reply: FastifyReply;
      actor: UserActor;
      ability: AppAbility;
      key: string | null;
      name: DocumentFormName;
      page: Page;
      values: object;
    },
    run: () => Promise<string>,
  ): Promise<void> {
    try {
      const scope = `document-${s.name}:${s.page.kind === 'document' ? s.page.key : s.page.kind}`;
      const outcome = await this.forms.once(s.actor.id, s.key, scope, async () => ({ location: await run() }));
      await s.reply.redirect(outcome.location, 303);
    } catch (e) {
      // A wrong password, or a signer the type does not name, is the form's refusal: shown next to it.
      const status = e instanceof ForbiddenError ? 403 : refusalStatus(e);
      if (status === null) throw e;
      const form = refusedDocumentForm(s.name, s.values, e as ValidationError);
      if (e instanceof ForbiddenError && s.name === 'sign' && e.code === 'document.wrong_password') {
        form.errors.password = e.message;
        form.detail = 'Nothing was signed: enter your own password to sign.';
      }
      const [view, model] =
        s.page.kind === 'document'
          ? ['document', await this.documentPage(s.actor, s.ability, s.page.key, {}, form)]
          : s.page.kind === 'list'
            ? ['documents', await this.listPage(s.actor, s.ability, {}, form)]
            : ['my-acknowledgements', await this.acknowledgementsPage(s.actor, form)];
      await s.reply.status(status).view(view, { ...model, me: viewUser(s.actor, s.reply.request.url) });
    }
  }

  private async listPage(
    actor: UserActor,
    ability: AppAbility,
    query: DocumentListQueryDto,
    form: DocumentFormState | null,
  ) {
    const [list, departments] = await Promise.all([
      this.documents.list(actor, { ...query, limit: query.limit ?? 50 }),
      this.departments.list(),
    ]);
    const all = departments.map((d) => ({ key: d.key, name: d.name }));
    return documentListPage({
      list,
      query,
      departments: all,
      creatableDepartments: all.filter((d) => ability.can('create', asSubject('Document', { ownerDepartment: d.key }))),
      ability,
      form,
      formKey: newFormKey(),
      now: new Date(),
    });
  }

  private async documentPage(
    actor: UserActor,
    ability: AppAbility,
    key: string,
    query: DocumentPageQueryDto,
    form: DocumentFormState | null,
  ) {
    const doc = await this.documents.get(actor, key);
    const summaries = doc.versions ?? [];
    const open = summaries.find((v) => ['draft', 'in_review', 'approved'].includes(v.status));
    const shown = query.version ?? doc.publishedVersion;
    const wanted = new Set([shown, open?.number, summaries[0]?.number].filter((n): n is number => !!n));
    const versions = new Map<number, VersionView>();
    for (const n of wanted) versions.set(n, await this.versions.get(actor, key, n));
    const diff =
      query.diff !== undefined && query.against !== undefined && query.diff !== query.against
        ? await this.versions.diff(actor, key, query.diff, query.against)
        : null;
    const roster = doc.publishedVersion !== null ? await this.rosterOrNull(actor, key) : null;
    const people = [
      doc.ownerUserId,
      ...[...versions.values()].flatMap((v) => [v.createdBy, ...v.signatures.map((s) => s.signerUserId)]),
    ];
    const [names, departments] = await Promise.all([this.users.namesByIds(people), this.departments.list()]);
    return documentPage({
      doc,
      versions,
      shown: shown ?? null,
      diff,
      roster,
      names,
      departments: departments.map((d) => ({ key: d.key, name: d.name })),
      ability,
      form,
      formKey: newFormKey(),
      now: new Date(),
    });
  }

  /** The roster when the person may see it (compliance, the owner department, auditors in scope). */
  private async rosterOrNull(actor: UserActor, key: string) {
    try {
      return await this.acknowledgements.roster(actor, key, {});
    } catch (e) {
      if (e instanceof ForbiddenError) return null;
      throw e;
    }
  }

  private async acknowledgementsPage(actor: UserActor, form: DocumentFormState | null) {
    const list = await this.acknowledgements.mine(actor, { limit: 200, offset: 0 });
    return myAcknowledgementsPage({ list, form, formKey: newFormKey() });
  }
}
