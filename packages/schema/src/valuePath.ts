/**
 * Formats a path into a payload value the way zod reports it: `items[1].name`.
 * The empty path (the payload itself) is `(root)`.
 *
 * @example
 * valuePath(['items', 1, 'name']); // 'items[1].name'
 */
export function valuePath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(root)' : out;
}
