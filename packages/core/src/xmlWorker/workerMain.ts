// The XML worker thread: runs the envelope steps (parse, repair, c14n, envelope XSD, extraction)
// and payload XSD validation for external envelopes, on the second core. Started by xmlWorker.ts.
import { parentPort } from 'node:worker_threads';
import { libxml2Validator, type CompiledSchema, type XmlLimits } from '@organism/xml';
import { prepareEnvelope, type TagSchemas } from './prepareEnvelope.js';
import type { FromWorker, ToWorker } from './protocol.js';
import type { SchemaId } from '../steps/prepared.js';

interface Attached {
  readonly limits: XmlLimits;
  readonly tags: TagSchemas;
  readonly ids: readonly SchemaId[];
}

const organisms = new Map<number, Attached>();
/** Compiled schemas by id, shared by the organisms that use them. */
const schemas = new Map<SchemaId, { schema: CompiledSchema; users: number }>();

function schemaFor(id: SchemaId, xsd: string): CompiledSchema | undefined {
  const known = schemas.get(id);
  if (known) {
    known.users++;
    return known.schema;
  }
  try {
    const schema = libxml2Validator.compile(xsd);
    schemas.set(id, { schema, users: 1 });
    return schema;
  } catch {
    return undefined; // the organism compiled it already; the pass validates instead
  }
}

function attach(message: Extract<ToWorker, { type: 'attach' }>): void {
  const tags = new Map<string, Array<readonly [SchemaId, CompiledSchema]>>();
  const ids: SchemaId[] = [];
  for (const [tag, list] of message.tags) {
    const compiled: Array<readonly [SchemaId, CompiledSchema]> = [];
    for (const [id, xsd] of list) {
      const schema = schemaFor(id, xsd);
      if (schema === undefined) continue;
      ids.push(id);
      compiled.push([id, schema]);
    }
    tags.set(tag, compiled);
  }
  organisms.set(message.org, { limits: message.limits, tags, ids });
}

function detach(org: number): void {
  const attached = organisms.get(org);
  if (!attached) return;
  organisms.delete(org);
  for (const id of attached.ids) {
    const entry = schemas.get(id);
    if (entry && --entry.users === 0) {
      schemas.delete(id);
      entry.schema.dispose();
    }
  }
}

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'attach':
      attach(message);
      return;
    case 'detach':
      detach(message.org);
      return;
    case 'prepare': {
      const attached = organisms.get(message.org);
      if (!attached) {
        post({ type: 'failed', batch: message.batch, message: `organism ${message.org} is not attached` });
        return;
      }
      try {
        const results = message.requests.map((request) => prepareEnvelope(request, attached.limits, attached.tags));
        post({ type: 'prepared', batch: message.batch, results });
      } catch (error) {
        post({ type: 'failed', batch: message.batch, message: error instanceof Error ? error.message : String(error) });
      }
      return;
    }
  }
});
post({ type: 'ready' });
