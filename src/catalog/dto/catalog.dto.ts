import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { CADENCES, type Cadence } from '../domain/catalog-model';

export class FrameworkView {
  @ApiProperty({ example: 'soc2' }) key: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: '2017 TSC, points of focus revised 2022' }) edition: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ description: 'bumped when a sync changes the framework' }) version: number;
  @ApiProperty() requirements: number;
  @ApiProperty({ description: 'controls mapped to at least one of its requirements' }) controls: number;
}

export class RequirementView {
  @ApiProperty({ example: 'CC6.1' }) ref: string;
  @ApiProperty() group: string;
  @ApiProperty({ description: 'a short paraphrase in our own words' }) title: string;
  @ApiProperty({ nullable: true, type: String, description: 'why it does not apply, when it does not' }) notApplicable:
    string | null;
  @ApiProperty() version: number;
  @ApiProperty({ type: [String], description: 'keys of the controls that satisfy it' }) controls: string[];
}

export class RequirementQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) group?: string;
  @ApiPropertyOptional({ description: 'part of the ref or title' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class ControlMappingView {
  @ApiProperty({ example: 'soc2' }) framework: string;
  @ApiProperty({ example: 'CC6.1' }) ref: string;
  @ApiProperty() title: string;
}

export class ControlView {
  @ApiProperty({ example: 'PRV-01' }) key: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 'privacy', description: 'owner department key' }) ownerDepartment: string;
  @ApiProperty({ nullable: true, type: String, description: 'owner person (user id), assigned in the app' })
  ownerUserId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) ownerName?: string | null;
  @ApiProperty({ enum: CADENCES }) cadence: Cadence;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'cadence event only: the longest gap allowed between two occurrences, in days',
  })
  maxIntervalDays: number | null;
  @ApiProperty({ type: [String] }) evidenceGuidance: string[];
  @ApiProperty({ nullable: true, type: String }) collector: string | null;
  @ApiProperty() version: number;
  @ApiProperty({ type: [ControlMappingView] }) requirements: ControlMappingView[];
}

export class ControlQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'soc2', description: 'controls mapped to this framework' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{1,30}$/, { message: 'framework must be a framework key' })
  framework?: string;

  @ApiPropertyOptional({ description: 'owner person: a user id, or "me"' })
  @IsOptional()
  @ValidateIf((o: ControlQueryDto) => o.owner !== 'me')
  @IsUUID('all', { message: 'owner must be a user id or "me"' })
  owner?: string;

  @ApiPropertyOptional({ example: 'engineering' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{1,40}$/, { message: 'department must be a department key' })
  department?: string;

  @ApiPropertyOptional({ enum: CADENCES }) @IsOptional() @IsIn(CADENCES) cadence?: Cadence;
  @ApiPropertyOptional({ description: 'part of the key or title' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class AssignOwnerDto {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'the user accountable for the control, or null to unassign',
  })
  @Transform(({ value }) => (value === '' ? null : value))
  @ValidateIf((o: AssignOwnerDto) => o.userId !== null)
  @IsUUID('all', { message: 'userId must be a user id or null' })
  userId: string | null;
}

export class CoverageView {
  @ApiProperty({ example: 'soc2' }) framework: string;
  @ApiProperty() total: number;
  @ApiProperty({ description: 'mapped by at least one control' }) covered: number;
  @ApiProperty({ description: 'not mapped, with a stated reason it does not apply' }) notApplicable: number;
  @ApiProperty({ type: [String], description: 'refs neither mapped nor marked not applicable' }) uncovered: string[];
}

export class FrameworkParams {
  @ApiProperty({ example: 'soc2' })
  @Matches(/^[a-z][a-z0-9-]{1,30}$/, { message: 'key must be a framework key like soc2' })
  key: string;
}

export class ControlParams {
  @ApiProperty({ example: 'PRV-01' })
  @Matches(/^[A-Z]{2,5}-\d{2,3}$/, { message: 'key must be a control key like PRV-01' })
  key: string;
}

export class ExportQueryDto {
  @ApiProperty({ enum: ['oscal-catalog', 'oscal-component', 'csv'] })
  @IsIn(['oscal-catalog', 'oscal-component', 'csv'])
  format: 'oscal-catalog' | 'oscal-component' | 'csv';
}
