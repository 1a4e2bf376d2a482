/**
 * Find the 1-based line of a key path (e.g. `['listeners', 2, 'handler']`) in block-style YAML
 * text, for error messages. Returns the line of the deepest segment it could find.
 */
export function locateYamlPath(text: string, path: readonly (string | number)[]): number | undefined {
  const lines = text.split(/\r?\n/);
  let from = 0;
  let to = lines.length;
  let parentIndent = -1;
  let found: number | undefined;
  const indentOf = (line: string) => line.length - line.trimStart().length;
  const isContent = (line: string) => line.trim() !== '' && !line.trimStart().startsWith('#');

  for (const segment of path) {
    let hit: number | undefined;
    if (typeof segment === 'number') {
      let count = -1;
      let itemIndent: number | undefined;
      for (let i = from; i < to; i++) {
        const line = lines[i]!;
        if (!isContent(line)) continue;
        const indent = indentOf(line);
        if (indent <= parentIndent && !line.trimStart().startsWith('-')) break;
        if (line.trimStart().startsWith('-') && (itemIndent === undefined || indent === itemIndent)) {
          itemIndent = indent;
          count++;
          if (count === segment) {
            hit = i;
            break;
          }
        }
      }
      if (hit === undefined || itemIndent === undefined) return found;
      parentIndent = itemIndent;
      from = hit;
      to = nextSibling(lines, hit, itemIndent, isContent, indentOf, true);
      found = hit + 1;
      continue;
    }
    const key = new RegExp(`^(\\s*-?\\s*)${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`);
    for (let i = from; i < to; i++) {
      const line = lines[i]!;
      if (!isContent(line)) continue;
      const match = key.exec(line);
      if (match && match[1]!.length > parentIndent) {
        hit = i;
        break;
      }
    }
    if (hit === undefined) return found;
    const keyIndent = (key.exec(lines[hit]!)?.[1] ?? '').length;
    parentIndent = keyIndent;
    from = hit + 1;
    to = nextSibling(lines, hit, keyIndent, isContent, indentOf, false);
    found = hit + 1;
  }
  return found;
}

function nextSibling(
  lines: readonly string[],
  start: number,
  indent: number,
  isContent: (l: string) => boolean,
  indentOf: (l: string) => number,
  listItem: boolean,
): number {
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (!isContent(line)) continue;
    const current = indentOf(line);
    const dash = line.trimStart().startsWith('-');
    if (current < indent || (current === indent && (listItem ? dash : !dash))) return i;
  }
  return lines.length;
}
