import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** `/search?q=`: the words, trimmed; empty shows the box only; over SEARCH_MAX_CHARS the page asks for fewer. */
export class SearchQueryDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsOptional()
  @IsString({ message: 'q must be text' })
  @MaxLength(10_000, { message: 'q must be at most 10,000 characters' }) // longer than a search: the page says so
  q?: string;
}
