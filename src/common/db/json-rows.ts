// Many rows as one statement parameter: the JSON text of an array of rows, each an array of its column
// values, read back by `jsonb_array_elements` (the text is parsed once into jsonb, whose `->>` by index
// is direct; on `json`, every `->>` parses the row's text again).
//
// One parameter whatever the number of rows (no 65,535-parameter limit, no chunking), and the cheapest way
// measured to send thousands of rows (5,000 rows of the controls' 12 columns, 2-core machine, round trip
// of sending and reading them): node-postgres escapes every element of a text[] parameter in JavaScript
// (unnest of one array per column: 140–400 ms), json_to_recordset(…) matches every key of every object
// (50–260 ms), positional arrays on json re-parse each row per column (250–390 ms); positional arrays
// on jsonb: 40–120 ms.

/** One column: its SQL name, its type, and its value in a row (JSON: a Date becomes its ISO instant). */
export interface JsonColumn<R> {
  name: string;
  /** A PostgreSQL type; `jsonb` takes the value as JSON (an array, an object) rather than as text. */
  type: string;
  value: (row: R) => unknown;
}

export interface JsonRows {
  /** A FROM item with one column per JsonColumn (name and type), one row per row; alias it. */
  from: string;
  /** The statement parameter it reads. */
  param: string;
}

/** Lone UTF-16 surrogates, which JSON.stringify writes as `\udXXX` escapes. */
const ESCAPED_SURROGATE = /\\ud[89a-f]/i;

type WellFormed = { toWellFormed(): string };

/**
 * The rows as a FROM item reading parameter `$index` and the parameter's text. Undefined values are NULL.
 *
 * PostgreSQL refuses a lone surrogate escape in JSON text, where node-postgres stores U+FFFD for it in a
 * text parameter: such strings are made well-formed first (U+FFFD), so the stored text is the same either
 * way. JSON.stringify escapes nothing else above U+001F, so the check rarely matches.
 */
export function jsonRows<R>(rows: readonly R[], columns: readonly JsonColumn<R>[], index = 1): JsonRows {
  const values = rows.map((row) => columns.map((c) => c.value(row) ?? null));
  let param = JSON.stringify(values);
  if (ESCAPED_SURROGATE.test(param)) {
    param = JSON.stringify(values, (_key, value: unknown) =>
      typeof value === 'string' ? (value as unknown as WellFormed).toWellFormed() : value,
    );
  }
  const select = columns.map(({ name, type }, i) => {
    if (type === 'jsonb') return `(e -> ${i})::jsonb AS "${name}"`;
    return type === 'text' ? `e ->> ${i} AS "${name}"` : `(e ->> ${i})::${type} AS "${name}"`;
  });
  return { from: `(SELECT ${select.join(', ')} FROM jsonb_array_elements($${index}::jsonb) AS e)`, param };
}
