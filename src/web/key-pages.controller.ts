import { Body, Controller, Get, Param, Post, Query, Render, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type {} from '@fastify/view'; // reply.view()
import type { AppAbility } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import { asSubject } from '../authz/subject';
import { ForbiddenError, type ValidationError } from '../common/errors/app-error';
import { CreateKeyDto, KeyParams, KeyQueryDto, RecordRotationDto } from '../keys/dto/key.dto';
import { KeysService } from '../keys/keys.service';
import { AttestRotationFormDto, RegisterKeyFormDto } from './dto/key-forms.dto';
import { FormIdempotency, FormKey, FormKeyInterceptor, newFormKey } from './form-idempotency';
import { refusalStatus } from './form-refusal';
import { formField, instant, validated } from './incident-forms';
import { KEY_CSV_COLUMNS, keyListPage, keyPage, type KeyFormState } from './key.page';
import { allRows, sendCsv } from './list-csv';
import { viewUser } from './view-context.interceptor';

const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * The key register pages (issue 18): the list with each key's clock (filter by state, department) and the
 * register form; a key with its rotation history and the owner's attestation form. Forms run once per key
 * and answer 303; a refused one is shown again with what was typed and the problem by its field.
 */
@ApiExcludeController()
@Controller('keys')
@UseInterceptors(FormKeyInterceptor)
export class KeyPagesController {
  constructor(
    private readonly keys: KeysService,
    private readonly forms: FormIdempotency,
  ) {}

  @Get()
  @Policy('read', 'Key')
  @Render('keys')
  list(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Query() query: KeyQueryDto) {
    return this.listModel(actor, ability, query, null);
  }

  /** The filtered register, every page of it, as CSV. */
  @Get('export.csv')
  @Policy('read', 'Key')
  async listCsv(@CurrentActor() actor: UserActor, @Query() query: KeyQueryDto, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.keys.list(actor, { ...query, ...page }));
    await sendCsv(reply, 'keys', KEY_CSV_COLUMNS, rows);
  }

  @Post()
  @Policy('create', 'Key')
  async register(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Body() form: RegisterKeyFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      const outcome = await this.forms.once(actor.id, key, 'key-register', async () => {
        const dto = await validated(CreateKeyDto, {
          name: form.name?.trim() ?? '',
          system: form.system ?? '',
          kind: form.kind ?? '',
          ownerEmail: form.ownerEmail?.trim() ?? '',
          ...(blank(form.intervalDays) ? { intervalDays: blank(form.intervalDays) } : {}),
          ...(blank(form.department) ? { department: blank(form.department) } : {}),
        });
        const created = await this.keys.register(actor, dto);
        return { location: `/keys/${created.name}` };
      });
      await reply.redirect(outcome.location, 303);
    } catch (e) {
      const refused = refusedState(e, 'register', form);
      const model = await this.listModel(actor, ability, {}, refused.form);
      await reply.status(refused.status).view('keys', { ...model, me: viewUser(actor, reply.request.url) });
    }
  }

  @Get(':name')
  @Policy('read', 'Key')
  @Render('key')
  key(@CurrentActor() actor: UserActor, @CurrentAbility() ability: AppAbility, @Param() p: KeyParams) {
    return this.keyModel(actor, ability, p.name, null);
  }

  @Post(':name/rotations')
  @Policy('create', 'KeyRotation')
  async attest(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Param() p: KeyParams,
    @Body() form: AttestRotationFormDto,
    @FormKey() key: string | null,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      const outcome = await this.forms.once(actor.id, key, `key-attest:${p.name}`, async () => {
        const dto = await validated(RecordRotationDto, {
          ...(blank(form.rotatedAt) ? { rotatedAt: instant(blank(form.rotatedAt)) } : {}),
          ...(blank(form.note) ? { note: form.note } : {}),
          ...(blank(form.evidence) ? { evidence: form.evidence } : {}),
        });
        await this.keys.recordRotation(actor, p.name, dto);
        return { location: `/keys/${p.name}#history` };
      });
      await reply.redirect(outcome.location, 303);
    } catch (e) {
      const refused = refusedState(e, 'attest', form);
      const model = await this.keyModel(actor, ability, p.name, refused.form);
      await reply.status(refused.status).view('key', { ...model, me: viewUser(actor, reply.request.url) });
    }
  }

  private async listModel(actor: UserActor, ability: AppAbility, query: KeyQueryDto, form: KeyFormState | null) {
    const page = await this.keys.list(actor, { ...query, limit: query.limit ?? 200 });
    return keyListPage({
      items: page.items,
      total: page.total,
      state: query.state ?? null,
      department: query.department ?? null,
      canRegister: ability.can('create', 'Key'),
      defaults: this.keys.defaults(),
      form,
      formKey: newFormKey(),
    });
  }

  private async keyModel(actor: UserActor, ability: AppAbility, name: string, form: KeyFormState | null) {
    const key = await this.keys.get(actor, name);
    const canAttest = ability.can(
      'create',
      asSubject('KeyRotation', { department: key.department, rotatedAt: new Date() }),
    );
    return keyPage({ key, canAttest, form, formKey: newFormKey() });
  }
}

/** The refused form's state and status; anything but a refusal (or a 403) is rethrown to the error page. */
function refusedState(e: unknown, name: KeyFormState['form'], values: object): { status: number; form: KeyFormState } {
  const status = e instanceof ForbiddenError ? 403 : refusalStatus(e);
  if (status === null) throw e;
  const problem = e as ValidationError;
  const errors: Record<string, string> = {};
  for (const f of problem.errors ?? []) errors[formField(f.field)] = f.message;
  return { status, form: { form: name, values: { ...values }, errors, detail: problem.message } };
}
