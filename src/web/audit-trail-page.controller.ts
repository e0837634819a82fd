import { Controller, Get, Query, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Policy } from '../authz/policy.decorator';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { AuditTrailPage, auditTrailPage } from './audit-trail.page';
import { AuditLogQueryDto } from '../audit-trail/dto/audit-log-query.dto';

/** The audit-trail page: entries with filters and paging, and the result of verifying the chain. */
@ApiExcludeController()
@Controller('audit-trail')
export class AuditTrailPageController {
  constructor(private readonly trail: AuditTrailService) {}

  @Get()
  @Policy('read', 'AuditLog')
  @Render('audit-trail')
  async page(@Query() query: AuditLogQueryDto): Promise<AuditTrailPage> {
    const [list, verify] = await Promise.all([this.trail.list(query), this.trail.verify()]);
    return auditTrailPage(query, list, verify);
  }
}
