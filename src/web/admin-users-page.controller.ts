import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { DepartmentsService } from '../identity/departments.service';
import { CreateUserDto, UserListQueryDto } from '../identity/dto/user.dto';
import type { ValidationError } from '../common/errors/app-error';
import { UsersService } from '../identity/users.service';
import { adminUsersPage, USER_CSV_COLUMNS } from './admin-users.page';
import { allRows, sendCsv } from './list-csv';
import { CreateUserFormDto, UpdateUserFormDto } from './dto/user-forms.dto';
import { refusalStatus } from './form-refusal';
import { type FormState, refusedForm, validated } from './incident-forms';
import { viewUser } from './view-context.interceptor';

/** The user-admin page (admins): list, filter, add users, change role, department and status. */
@ApiExcludeController()
@Controller('admin/users')
export class AdminUsersPageController {
  constructor(
    private readonly users: UsersService,
    private readonly departments: DepartmentsService,
  ) {}

  private async page(
    actor: UserActor,
    query: UserListQueryDto,
    created?: { email: string; oneTimePassword: string },
    form: FormState<'user'> | null = null,
  ) {
    const [list, departments] = await Promise.all([this.users.list(actor, query), this.departments.list()]);
    return adminUsersPage({ query, list, departments, created, form });
  }

  @Get()
  @Policy('update', 'User')
  @Render('admin-users')
  list(@CurrentActor() actor: UserActor, @Query() query: UserListQueryDto) {
    return this.page(actor, query);
  }

  /** The filtered roster, every page of it, as CSV. */
  @Get('export.csv')
  @Policy('update', 'User')
  async listCsv(@CurrentActor() actor: UserActor, @Query() query: UserListQueryDto, @Res() reply: FastifyReply) {
    const rows = await allRows((page) => this.users.list(actor, { ...query, ...page }));
    await sendCsv(reply, 'users', USER_CSV_COLUMNS, rows);
  }

  /**
   * Adds a user and shows their one-time password on the answer itself, once: it is never put in a URL or
   * stored, so this form has no redirect after it (a reload is refused: the e-mail address is taken). A
   * refused form (400, 409, 422) is the page again with what was typed and each problem next to its field.
   */
  @Post()
  @Policy('create', 'User')
  async create(@CurrentActor() actor: UserActor, @Body() form: CreateUserFormDto, @Res() reply: FastifyReply) {
    const me = viewUser(actor, reply.request.url);
    try {
      const dto = await validated(CreateUserDto, {
        email: form.email ?? '',
        name: form.name ?? '',
        role: form.role ?? '',
        department: form.department || null,
      });
      const { user, oneTimePassword } = await this.users.create(actor, dto);
      const created = { email: user.email ?? dto.email, oneTimePassword };
      await reply.status(201).view('admin-users', { ...(await this.page(actor, {}, created)), me });
    } catch (e) {
      const status = refusalStatus(e);
      if (status === null) throw e;
      const state = refusedForm('user', form, e as ValidationError);
      await reply.status(status).view('admin-users', { ...(await this.page(actor, {}, undefined, state)), me });
    }
  }

  @Post(':id')
  @Policy('update', 'User')
  async update(
    @CurrentActor() actor: UserActor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() form: UpdateUserFormDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.users.update(actor, id, {
      role: form.role,
      department: form.department ?? null,
      active: form.active === 'true',
    });
    await reply.redirect('/admin/users', 303);
  }
}
