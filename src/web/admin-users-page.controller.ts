import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { UserActor } from '../authz/actor';
import { DepartmentsService } from '../identity/departments.service';
import { UserListQueryDto } from '../identity/dto/user.dto';
import { UsersService } from '../identity/users.service';
import { adminUsersPage, USER_CSV_COLUMNS } from './admin-users.page';
import { allRows, sendCsv } from './list-csv';
import { CreateUserFormDto, UpdateUserFormDto } from './dto/user-forms.dto';

/** The user-admin page (admins): list, filter, add users, change role, department and status. */
@ApiExcludeController()
@Controller('admin/users')
export class AdminUsersPageController {
  constructor(
    private readonly users: UsersService,
    private readonly departments: DepartmentsService,
  ) {}

  private async page(actor: UserActor, query: UserListQueryDto, created?: { email: string; oneTimePassword: string }) {
    const [list, departments] = await Promise.all([this.users.list(actor, query), this.departments.list()]);
    return adminUsersPage({ query, list, departments, created });
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

  @Post()
  @Policy('create', 'User')
  @Render('admin-users')
  async create(@CurrentActor() actor: UserActor, @Body() form: CreateUserFormDto) {
    const { user, oneTimePassword } = await this.users.create(actor, {
      email: form.email,
      name: form.name,
      role: form.role,
      department: form.department ?? null,
    });
    return this.page(actor, {}, { email: user.email ?? form.email, oneTimePassword });
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
