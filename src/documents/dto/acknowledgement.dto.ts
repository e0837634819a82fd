import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { ACKNOWLEDGEMENT_STATES, type AcknowledgementState } from '../domain/acknowledgements';

export class AcknowledgementParams {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all') id: string;
}

export class RosterQueryDto {
  @ApiPropertyOptional({ enum: ACKNOWLEDGEMENT_STATES })
  @IsOptional()
  @IsIn(ACKNOWLEDGEMENT_STATES)
  status?: AcknowledgementState;

  @ApiPropertyOptional({ description: 'a department key' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,39}$/, { message: 'department must be a department key' })
  department?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: the roster as a CSV file (or Accept: text/csv)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class MyAcknowledgementsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ACKNOWLEDGEMENT_STATES })
  @IsOptional()
  @IsIn(ACKNOWLEDGEMENT_STATES)
  status?: AcknowledgementState;
}

export class AcknowledgementView {
  @ApiProperty() id: string;
  @ApiProperty() documentKey: string;
  @ApiProperty() documentTitle: string;
  @ApiProperty() versionNumber: number;
  @ApiProperty({ description: 'SHA-256 of the version acknowledged' }) versionSha256: string;
  @ApiProperty({ enum: ACKNOWLEDGEMENT_STATES }) status: AcknowledgementState;
  @ApiProperty({ description: '23:59 Asia/Bangkok on the last day' }) dueAt: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) acknowledgedAt: string | null;
}

export class RosterEntryView {
  @ApiProperty() userId: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String, description: 'null where you may not read the person’s e-mail' })
  email: string | null;
  @ApiProperty({ nullable: true, type: String }) department: string | null;
  @ApiProperty() role: string;
  @ApiProperty({ enum: ACKNOWLEDGEMENT_STATES }) status: AcknowledgementState;
  @ApiProperty({ nullable: true, type: String, description: 'null: joined the audience, task not yet created' })
  acknowledgementId: string | null;
  @ApiProperty({ nullable: true, type: Number }) versionNumber: number | null;
  @ApiProperty({ nullable: true, type: String }) versionSha256: string | null;
  @ApiProperty({ nullable: true, type: String }) dueAt: string | null;
  @ApiProperty({ nullable: true, type: String }) acknowledgedAt: string | null;
}

export class RosterView {
  @ApiProperty() documentKey: string;
  @ApiProperty({ nullable: true, type: Number, description: 'the version in force' }) publishedVersion: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'the newest material version published: acknowledging it or a later one counts',
  })
  basisVersion: number | null;
  @ApiProperty() counts: { acknowledged: number; pending: number; overdue: number };
  @ApiProperty({ type: [RosterEntryView] }) items: RosterEntryView[];
}
