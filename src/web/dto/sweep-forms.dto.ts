import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** The attest / exception form on "my sweep". */
export class TaskOutcomeFormDto {
  @IsIn(['attestation', 'exception']) outcome: 'attestation' | 'exception';
  @IsOptional() @IsString() @MinLength(5) @MaxLength(2000) text?: string;
}
