import { IsOptional, IsString, MaxLength } from 'class-validator';

/** The login form. Loose on purpose: any wrong input gets the same page and message as a wrong password. */
export class LoginFormDto {
  @IsString() @MaxLength(254) email: string;
  @IsString() @MaxLength(256) password: string;
  @IsOptional() @IsString() @MaxLength(2000) next?: string;
}
