import type { FieldDoc } from './fieldDocs.js';

/** What a tool prompt describes. */
export interface ToolPromptInput {
  readonly typeName: string;
  readonly description: string;
  readonly rootTag: string;
  readonly fields: readonly FieldDoc[];
  readonly example: string;
}

/**
 * The LLM-facing description of a payload: description, root element, one line per field (path,
 * type, required/optional, description) and the example. Deterministic: same input, same text.
 *
 * @example
 * toolPrompt({ typeName: 'Greeting', description: 'Greets someone', rootTag: 'greeter.greeting',
 *   fields: [{ path: 'name', type: 'string', required: true }], example: '<greeter.greeting>...' });
 * // Greeting: Greets someone
 * // Root element: <greeter.greeting>
 * // Child elements, in this order:
 * // - name: string; required
 * // Example: ...
 */
export function toolPrompt(input: ToolPromptInput): string {
  const description = input.description.trim();
  const lines = [description === '' ? input.typeName : `${input.typeName}: ${description}`, `Root element: <${input.rootTag}>`];
  if (input.fields.length === 0) lines.push('No child elements.');
  else {
    lines.push('Child elements, in this order (nested elements are indented):');
    for (const field of input.fields) {
      const depth = field.path.split('.').length - 1;
      let line = `${'  '.repeat(depth)}- ${field.path}: ${field.type}; ${field.required ? 'required' : 'optional'}`;
      if (field.default !== undefined) line += `, default ${field.default}`;
      const description = field.description?.replace(/\s+/g, ' ').trim();
      if (description) line += `. ${description}`;
      lines.push(line);
    }
  }
  lines.push('Example:', input.example);
  return lines.join('\n');
}
