import { OrganismError, type CompiledSchema, type SchemaValidator } from '@organism/xml';
import { compileContract } from '@organism/schema';
import type { AcceptedType, Listener, ListenerSpec } from './listener.js';
import { HUH_TAG, SYSTEM_SENDER } from './huh.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const RESERVED_TAGS = new Set([HUH_TAG, 'return', 'halt']);

/** Compiled schemas shared by XSD text, released together when the organism closes. */
export class SchemaCache {
  private readonly schemas = new Map<string, CompiledSchema>();
  constructor(readonly validator: SchemaValidator) {}

  compile(xsd: string): CompiledSchema {
    let schema = this.schemas.get(xsd);
    if (!schema) {
      schema = this.validator.compile(xsd);
      this.schemas.set(xsd, schema);
    }
    return schema;
  }

  /** Each distinct XSD text with its compiled schema. */
  entries(): IterableIterator<[string, CompiledSchema]> {
    return this.schemas.entries();
  }

  dispose(): void {
    for (const schema of this.schemas.values()) schema.dispose();
    this.schemas.clear();
  }
}

function registrationError(spec: { name?: unknown }, message: string, cause?: unknown): OrganismError {
  const who = typeof spec.name === 'string' ? `listener "${spec.name}"` : 'listener';
  return new OrganismError('ORG_ERR_REGISTRATION', `${who}: ${message}`, cause === undefined ? undefined : { cause });
}

/**
 * Validate listener specs and compile everything generated from their contracts, once:
 * XSD (bare tag and full root tag), example, tool prompt. Throws ORG_ERR_REGISTRATION or the
 * schema package's ORG_ERR_SCHEMA_UNSUPPORTED naming the field.
 */
export function registerListeners(specs: readonly ListenerSpec[], cache: SchemaCache): Listener[] {
  const seen = new Set<string>();
  const listeners: Listener[] = [];
  for (const spec of specs) {
    if (typeof spec.name !== 'string' || !NAME.test(spec.name)) {
      throw registrationError(spec, `invalid name ${JSON.stringify(spec.name)}: use letters, digits, "_", "-" and "."`);
    }
    const key = spec.name.toLowerCase();
    if (key === SYSTEM_SENDER) throw registrationError(spec, `"${SYSTEM_SENDER}" is reserved for the organism itself`);
    if (seen.has(key)) throw registrationError(spec, 'duplicate name (names compare case-insensitively)');
    seen.add(key);
    if (typeof spec.handler !== 'function') throw registrationError(spec, 'handler must be a function');
    const payloads = Array.isArray(spec.payload) ? spec.payload : [spec.payload];
    if (payloads.length === 0) throw registrationError(spec, 'declare at least one payload type');
    const types = new Map<string, AcceptedType>();
    for (const type of payloads) {
      let contract;
      try {
        contract = compileContract(type, spec.description ?? '');
      } catch (error) {
        if (error instanceof OrganismError) {
          throw new OrganismError(error.code, `listener "${spec.name}": ${error.message}`, { cause: error, details: error.details });
        }
        throw registrationError(spec, 'payload contract could not be compiled', error);
      }
      if (RESERVED_TAGS.has(contract.tag)) throw registrationError(spec, `payload type name "${contract.tag}" is reserved (huh, return, halt)`);
      if (types.has(contract.tag)) throw registrationError(spec, `payload type "${contract.tag}" declared twice`);
      const rootTag = `${key}.${contract.tag}`;
      types.set(contract.tag, {
        contract,
        tag: contract.tag,
        rootTag,
        bareSchema: cache.compile(contract.xsd),
        rootSchema: cache.compile(contract.xsdFor(rootTag)),
      });
    }
    listeners.push({
      name: spec.name,
      key,
      description: spec.description ?? '',
      agent: spec.agent === true,
      peers: spec.peers ?? [],
      broadcast: spec.broadcast === true,
      handler: spec.handler,
      ...(spec.onHuh ? { onHuh: spec.onHuh } : {}),
      ...(spec.onMeta ? { onMeta: spec.onMeta } : {}),
      types,
    });
  }
  for (const listener of listeners) {
    if (listener.agent) {
      // An agent's payload types are its own: emitting its tag iterates on itself, never on another.
      for (const tag of listener.types.keys()) {
        const other = listeners.find((l) => l !== listener && l.types.has(tag));
        if (other) {
          throw registrationError(listener, `agent payload type "${tag}" is also accepted by "${other.name}": an agent's root tags must be unique; rename one of the types`);
        }
      }
    }
    for (const peer of listener.peers) {
      if (!seen.has(peer.toLowerCase())) {
        throw registrationError(listener, `peer "${peer}" is not a registered listener`);
      }
    }
  }
  return listeners;
}
