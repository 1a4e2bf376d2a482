import { OrganismError, validateEnvelope as validate } from '@organism/xml';
import type { OperatorFunction } from 'rxjs';
import type { MessageState } from '../messageState.js';
import { syncStep } from './stepInternals.js';
import { requireDoc } from './documentInternals.js';
import { preparedOf, replayFailure } from './prepared.js';

/** The validateEnvelope step's work on one state. */
export function validateEnvelopeState(state: MessageState): void {
  if (state.built) return; // built by buildEnvelope: valid by construction
  try {
    validate(requireDoc(state));
  } catch (error) {
    if (state.repairs.length === 0 || !(error instanceof OrganismError)) throw error;
    throw new OrganismError(
      'ORG_ERR_XML_PARSE',
      `the input is not well-formed XML and repairing it did not yield an envelope: ${state.repairs[0]}`,
      { cause: error, details: [...state.repairs, ...(error.details ?? [])] },
    );
  }
}

/**
 * Step 3: validate the envelope against the project's envelope XSD. When the input needed repair
 * and what the repair produced is still no envelope, the input was not XML worth repairing: that
 * is reported as ORG_ERR_XML_PARSE with libxml2's repair notes, not as an envelope problem.
 */
export function validateEnvelope(): OperatorFunction<MessageState, MessageState> {
  return syncStep('validateEnvelope', (state) => {
    const prepared = preparedOf(state);
    if (prepared === undefined) return validateEnvelopeState(state);
    replayFailure(prepared, 'validateEnvelope');
  });
}
