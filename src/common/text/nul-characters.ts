// The one rule on NUL characters (U+0000): no text Attest takes may hold one. PostgreSQL refuses them in
// text columns, so without this rule they surfaced as 500s. Pure: the HTTP hook (every body, query and
// path parameter), multipart fields, CSV cells and YAML documents all ask these functions.

export const NUL_CHARACTER_CODE = 'request.nul_character';
export const NUL_CHARACTER_MESSAGE = 'must not contain the NUL character (U+0000)';

export function hasNulCharacter(text: string): boolean {
  return text.includes('\u0000');
}

/** A step of a path, linked to its parent: paths are built only for what is found (copying each one as the
 * walk goes down took quadratic time and memory on deep values). */
interface PathNode {
  key: string | number;
  parent: PathNode | null;
}

function pathOf(node: PathNode | null): (string | number)[] {
  const path: (string | number)[] = [];
  for (let n = node; n; n = n.parent) path.push(n.key);
  return path.reverse();
}

/**
 * The paths of every string (and object key) holding a NUL character inside `value`, in document order.
 * Walks with an explicit stack, so no nesting depth can exhaust the call stack, in time linear in the size
 * of the value (plus the length of the paths found).
 */
export function nulCharacterPaths(value: unknown): (string | number)[][] {
  return textPaths(value, hasNulCharacter);
}

/** The paths of every string (and object key) inside `value` that `test` picks out; walked as nulCharacterPaths. */
export function textPaths(value: unknown, test: (text: string) => boolean): (string | number)[][] {
  const found: (string | number)[][] = [];
  const stack: Array<{ value: unknown; at: PathNode | null }> = [{ value, at: null }];
  while (stack.length) {
    const { value: v, at } = stack.pop()!;
    if (typeof v === 'string') {
      if (test(v)) found.push(pathOf(at));
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], at: { key: i, parent: at } });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        if (test(key)) found.push(pathOf({ key, parent: at }));
        else stack.push({ value: child, at: { key, parent: at } });
      }
    }
  }
  return found;
}

/** `['items', 0, 'title']` → `items.0.title`, as the validation pipe names nested fields (NUL shown as \0). */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p).replace(/\u0000/g, '\\0')).join('.');
}
