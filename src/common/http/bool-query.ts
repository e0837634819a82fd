import { Transform } from 'class-transformer';

/** A query-string flag: "1"/"true" and "0"/"false" become booleans; anything else stays for @IsBoolean to refuse. */
export const boolQuery = () =>
  Transform(({ value }) =>
    value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value,
  );
