import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import { AuditTrailService } from './audit-trail.service';
import { AuditLogEntryView, AuditLogPageView, VerifyResultView } from './dto/audit-log-entry.dto';
import { AuditLogQueryDto } from './dto/audit-log-query.dto';

@ApiTags('audit-trail')
@Controller('api/audit-trail')
export class AuditTrailController {
  constructor(private readonly trail: AuditTrailService) {}

  @Get()
  @Policy('read', 'AuditLog')
  @ApiOperation({ summary: 'Audit-trail entries, newest first, paged; filter by actor, action, subject and date' })
  @ApiOkResponse({ type: AuditLogPageView })
  @ApiBadRequestResponse({
    description: 'A filter or paging value is not valid; errors[] names the field (problem+json)',
  })
  list(@Query() query: AuditLogQueryDto): Promise<Page<AuditLogEntryView>> {
    return this.trail.list(query);
  }

  @Get('verify')
  @Policy('read', 'AuditLog')
  @ApiOperation({
    summary: 'Verify the hash chain and the signed checkpoints',
    description:
      'Recomputes every hash, checks links, contiguous seqs and every checkpoint file. A broken trail is a 200 with ok: false.',
  })
  @ApiOkResponse({ type: VerifyResultView })
  verify(): Promise<VerifyResultView> {
    return this.trail.verify();
  }
}
