import { OrganismError, escapeXmlText } from '@organism/xml';
import { decimalText } from './decimalText.js';
import type { FieldModel, ObjectModel, PayloadModel, ValueModel } from './payloadModel.js';
import { valuePath } from './valuePath.js';
import { invalidXmlChar } from './invalidXmlChar.js';

/**
 * Writes an already validated payload value as XML: one element per field in declared order,
 * arrays as repeated elements, undefined optional fields skipped, text escaped. With `indent`
 * the output is pretty-printed (whitespace only between elements, never inside text). Without it,
 * the text is exclusive-C14N canonical (no namespaces or attributes, text escaped as C14N does) except
 * that an object without children is `<name/>`; `canonical` writes `<name></name>` there too.
 *
 * @throws OrganismError `ORG_ERR_PAYLOAD_INVALID` when a value cannot be written (e.g. a string
 *   with a control character XML cannot carry).
 * @example
 * serializePayload(model, { name: 'World' }, 'greeting'); // '<greeting><name>World</name></greeting>'
 */
export function serializePayload(model: PayloadModel, value: unknown, tag: string, indent?: string, canonical = false): string {
  const writer = new Writer(model.typeName, indent, canonical);
  writer.object(tag, model.root, value, [], 0);
  return writer.parts.join('');
}

class Writer {
  readonly parts: string[] = [];
  constructor(
    private readonly typeName: string,
    private readonly indent: string | undefined,
    private readonly canonical: boolean,
  ) {}

  private fail(path: readonly PropertyKey[], problem: string): OrganismError {
    const where = valuePath(path);
    return new OrganismError('ORG_ERR_PAYLOAD_INVALID', `cannot write ${this.typeName} as XML: ${where}: ${problem}`, {
      details: [`${where}: ${problem}`],
    });
  }

  /** Whitespace before a tag: a new line and indentation when pretty-printing (none before the root's start tag). */
  private open(depth: number, root = depth === 0): string {
    return this.indent === undefined ? '' : (root ? '' : '\n') + this.indent.repeat(depth);
  }

  object(name: string, model: ObjectModel, value: unknown, path: readonly PropertyKey[], depth: number): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.fail(path, 'expected an object');
    const record = value as Record<string, unknown>;
    const start = this.parts.length;
    this.parts.push(`${this.open(depth)}<${name}>`);
    let children = 0;
    for (const field of model.fields) children += this.field(field, record[field.name], [...path, field.name], depth + 1);
    if (children === 0) {
      this.parts.splice(start, this.parts.length - start, this.canonical ? `${this.open(depth)}<${name}></${name}>` : `${this.open(depth)}<${name}/>`);
    }
    else this.parts.push(`${this.open(depth, false)}</${name}>`);
  }

  /** Returns the number of elements written. */
  private field(field: FieldModel, value: unknown, path: readonly PropertyKey[], depth: number): number {
    if (value === undefined) return 0;
    if (!field.repeated) {
      this.value(field.name, field.value, value, path, depth);
      return 1;
    }
    if (!Array.isArray(value)) throw this.fail(path, 'expected an array');
    value.forEach((item, i) => this.value(field.name, field.value, item, [...path, i], depth));
    return value.length;
  }

  private value(name: string, model: ValueModel, value: unknown, path: readonly PropertyKey[], depth: number): void {
    if (model.kind === 'object') {
      this.object(name, model, value, path, depth);
      return;
    }
    this.parts.push(`${this.open(depth)}<${name}>${escapeXmlText(this.text(model.kind, value, path))}</${name}>`);
  }

  private text(kind: Exclude<ValueModel['kind'], 'object'>, value: unknown, path: readonly PropertyKey[]): string {
    switch (kind) {
      case 'string':
      case 'enum': {
        if (typeof value !== 'string') throw this.fail(path, 'expected a string');
        const bad = invalidXmlChar(value);
        if (bad !== undefined) throw this.fail(path, `contains ${bad}, which XML cannot carry`);
        return value;
      }
      case 'integer':
      case 'decimal':
        if (typeof value !== 'number' || !Number.isFinite(value)) throw this.fail(path, 'expected a finite number');
        return decimalText(value);
      case 'boolean':
        if (typeof value !== 'boolean') throw this.fail(path, 'expected a boolean');
        return String(value);
    }
  }
}
