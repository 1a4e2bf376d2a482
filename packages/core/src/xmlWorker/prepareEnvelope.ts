import { isOrganismError, type CompiledSchema, type ValidationIssue, type XmlLimits } from '@organism/xml';
import type { MessageState } from '../messageState.js';
import { repairState } from '../steps/repair.js';
import { canonicalizeState } from '../steps/canonicalize.js';
import { validateEnvelopeState } from '../steps/validateEnvelope.js';
import { extractPayloadState } from '../steps/extractPayload.js';
import { fail } from '../steps/stepInternals.js';
import { releaseDoc, requirePayloadElement } from '../steps/documentInternals.js';
import { toPlainError, type EnvelopeStep, type PreparedEnvelope, type SchemaId } from '../steps/prepared.js';

/** One external envelope to prepare. */
export interface PrepareRequest {
  readonly input: string | Uint8Array;
  /** Trusted identity that replaces `<from>`. */
  readonly identity?: string;
}

/** The schemas a payload's tag names, by schema id (an organism's tags, lower-case). */
export type TagSchemas = ReadonlyMap<string, ReadonlyArray<readonly [SchemaId, CompiledSchema]>>;

const STEPS: ReadonlyArray<readonly [EnvelopeStep, (state: MessageState, limits: Partial<XmlLimits>) => void]> = [
  ['repair', repairState],
  ['canonicalize', (state) => canonicalizeState(state)],
  ['validateEnvelope', (state) => validateEnvelopeState(state)],
  ['extractPayload', (state) => extractPayloadState(state)],
];

/**
 * Do the envelope steps' work for one external envelope with the very functions the steps run,
 * then validate its payload against every schema its tag names. Returns plain data; never throws
 * for bad input (the failure is in the record). The document is released before returning.
 */
export function prepareEnvelope(request: PrepareRequest, limits: Partial<XmlLimits>, tagSchemas: TagSchemas): PreparedEnvelope {
  const state: MessageState = {
    seq: 0,
    input: request.input,
    origin: 'external',
    ...(request.identity !== undefined ? { identity: request.identity } : {}),
    repairs: [],
  };
  let verdicts: Array<readonly [SchemaId, readonly ValidationIssue[]]> | undefined;
  try {
    for (const [name, run] of STEPS) {
      try {
        run(state, limits);
      } catch (error) {
        fail(state, name, error);
        break;
      }
    }
    const tag = state.tag;
    // Upper-case tags are normalized by the validatePayload step first: left to it.
    const schemas = !state.error && tag !== undefined && tag === tag.toLowerCase() ? tagSchemas.get(tag) : undefined;
    if (schemas !== undefined) {
      verdicts = [];
      for (const [id, schema] of schemas) {
        try {
          const verdict = schema.validate({ element: requirePayloadElement(state), xml: state.payloadXml ?? '' });
          if (verdict instanceof Promise) break; // an asynchronous backend validates in the pass
          verdicts.push([id, verdict]);
        } catch (error) {
          if (!isOrganismError(error)) throw error;
          break; // the pass validates again and reports it
        }
      }
    }
  } finally {
    releaseDoc(state);
  }
  return {
    repairs: state.repairs,
    ...(state.canonical !== undefined ? { canonical: state.canonical } : {}),
    ...(state.from !== undefined ? { from: state.from } : {}),
    ...(state.to !== undefined ? { to: state.to } : {}),
    ...(state.thread !== undefined ? { thread: state.thread } : {}),
    ...(state.tag !== undefined ? { tag: state.tag } : {}),
    ...(state.ns !== undefined ? { ns: state.ns } : {}),
    ...(state.payloadXml !== undefined ? { payloadXml: state.payloadXml } : {}),
    ...(state.error !== undefined ? { failedStep: state.failedStep as EnvelopeStep, error: toPlainError(state.error) } : {}),
    ...(verdicts !== undefined && verdicts.length > 0 ? { verdicts } : {}),
  };
}
