import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { UserActor } from '../authz/actor';
import { CurrentActor, Policy } from '../authz/policy.decorator';
import type { Page } from '../common/http/pagination';
import { CreateKeyDto, KeyParams, KeyQueryDto, RecordRotationDto, type KeyDetail, type KeyView } from './dto/key.dto';
import { KeysService } from './keys.service';

@ApiTags('keys')
@Controller('api/keys')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  @Policy('read', 'Key')
  @ApiOperation({
    summary:
      'Keys and credentials you may read (never their values), by name, each with its rotation clock: state ' +
      'ok / due_soon / overdue and dueAt (23:59 in the compliance time zone on the last day); filter by state, department',
  })
  list(@CurrentActor() actor: UserActor, @Query() query: KeyQueryDto): Promise<Page<KeyView>> {
    return this.keys.list(actor, query);
  }

  @Post()
  @Policy('create', 'Key')
  @ApiOperation({
    summary:
      'Register a named secret: system, kind (third_party | service_role: default interval from keyRotationDays in ' +
      "controls/release-gates.yaml), its own intervalDays if any, owner, department (the owner's unless given); 409 when the name is taken",
  })
  register(@CurrentActor() actor: UserActor, @Body() dto: CreateKeyDto): Promise<KeyDetail> {
    return this.keys.register(actor, dto);
  }

  @Get(':name')
  @Policy('read', 'Key')
  @ApiOperation({ summary: 'One key with its clock and its rotations (source ci or owner_attestation, who, evidence)' })
  get(@CurrentActor() actor: UserActor, @Param() p: KeyParams): Promise<KeyDetail> {
    return this.keys.get(actor, p.name);
  }

  @Post(':name/rotations')
  @Policy('create', 'KeyRotation')
  @ApiOperation({
    summary:
      'Record a rotation: with an API token it is recorded as CI (source ci), signed in as the owner’s attestation ' +
      '(source owner_attestation); rotatedAt defaults to now and may not be in the future. The clock restarts from the newest rotation',
  })
  rotate(@CurrentActor() actor: UserActor, @Param() p: KeyParams, @Body() dto: RecordRotationDto): Promise<KeyDetail> {
    return this.keys.recordRotation(actor, p.name, dto);
  }
}
