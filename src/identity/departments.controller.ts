import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Policy } from '../authz/policy.decorator';
import { DepartmentsService } from './departments.service';

@ApiTags('departments')
@Controller('api/departments')
export class DepartmentsController {
  constructor(private readonly departments: DepartmentsService) {}

  @Get()
  @Policy('read', 'Department')
  @ApiOperation({ summary: 'Departments (from controls/departments.yaml)' })
  async list(): Promise<{ items: { id: string; key: string; name: string }[] }> {
    const rows = await this.departments.list();
    return { items: rows.map(({ id, key, name }) => ({ id, key, name })) };
  }
}
