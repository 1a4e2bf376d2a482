import { OrganismError, type CompiledSchema, type ErrorCode, type ValidationIssue } from '@organism/xml';
import type { MessageState } from '../messageState.js';

/** The steps whose work can be done ahead of the pass, off the main thread. */
export type EnvelopeStep = 'repair' | 'canonicalize' | 'validateEnvelope' | 'extractPayload';

/** An OrganismError as plain data (what crosses a thread boundary). */
export interface PlainError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: readonly string[];
}

/**
 * What the envelope steps (repair, canonicalize, validateEnvelope, extractPayload) produced for one
 * external envelope, done ahead of the pass, plus the payload's verdicts against the schemas its tag
 * names. Plain data. The steps replay it in order, so custom operators see the same state at
 * the same points as when the steps do the work themselves.
 */
export interface PreparedEnvelope {
  readonly repairs: readonly string[];
  readonly canonical?: string;
  readonly from?: string;
  readonly to?: string;
  readonly thread?: string;
  readonly tag?: string;
  readonly ns?: string;
  readonly payloadXml?: string;
  /** The first step that failed, and its error. */
  readonly failedStep?: EnvelopeStep;
  readonly error?: PlainError;
  /** `[schema id, issues]` for each schema of the payload's tag (issues empty when valid). */
  readonly verdicts?: ReadonlyArray<readonly [SchemaId, readonly ValidationIssue[]]>;
}

const prepared = new WeakMap<MessageState, PreparedEnvelope>();

export function setPrepared(state: MessageState, record: PreparedEnvelope): void {
  prepared.set(state, record);
}

/** The prepared record of a state, if its envelope steps were done ahead. */
export function preparedOf(state: MessageState): PreparedEnvelope | undefined {
  return prepared.get(state);
}

/** The verdict prepared for `schemaId`, if any. */
export function preparedVerdict(state: MessageState, schemaId: SchemaId | undefined): readonly ValidationIssue[] | undefined {
  const verdicts = schemaId === undefined ? undefined : prepared.get(state)?.verdicts;
  if (verdicts === undefined) return undefined;
  // One or two entries: a tag names few schemas.
  for (const [id, issues] of verdicts) if (id === schemaId) return issues;
  return undefined;
}

export function toPlainError(error: OrganismError): PlainError {
  return error.details === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, details: error.details };
}

export function fromPlainError(error: PlainError): OrganismError {
  return new OrganismError(error.code, error.message, error.details === undefined ? undefined : { details: error.details });
}

/** Throws the prepared error when `step` is the one that failed. */
export function replayFailure(record: PreparedEnvelope, step: EnvelopeStep): void {
  if (record.failedStep === step && record.error !== undefined) throw fromPlainError(record.error);
}

/** A compiled schema's name in the XML worker: a digest of its XSD text, the same in every organism. */
export type SchemaId = string;

const schemaIds = new WeakMap<CompiledSchema, SchemaId>();

/** Name a compiled schema by the id its copy in the worker is known by. */
export function setSchemaId(schema: CompiledSchema, id: SchemaId): void {
  schemaIds.set(schema, id);
}

export function schemaIdOf(schema: CompiledSchema): SchemaId | undefined {
  return schemaIds.get(schema);
}
