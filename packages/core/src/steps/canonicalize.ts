import { canonicalize as c14n } from '@organism/xml';
import type { OperatorFunction } from 'rxjs';
import type { MessageState } from '../messageState.js';
import { syncStep } from './stepInternals.js';
import { requireDoc } from './documentInternals.js';
import { preparedOf, replayFailure } from './prepared.js';

/** The canonicalize step's work on one state. */
export function canonicalizeState(state: MessageState): void {
  if (state.built && typeof state.input === 'string') {
    state.canonical = state.input; // built by buildEnvelope from meta text and a serialized payload
    return;
  }
  state.canonical = c14n(requireDoc(state));
}

/** Step 2: Exclusive XML Canonicalization 1.0 of the whole envelope into `state.canonical`. */
export function canonicalize(): OperatorFunction<MessageState, MessageState> {
  return syncStep('canonicalize', (state) => {
    const prepared = preparedOf(state);
    if (prepared === undefined) return canonicalizeState(state);
    if (prepared.canonical !== undefined) state.canonical = prepared.canonical;
    replayFailure(prepared, 'canonicalize');
  });
}
