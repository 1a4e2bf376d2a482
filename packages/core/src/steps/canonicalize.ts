import { canonicalize as c14n } from '@organism/xml';
import type { OperatorFunction } from 'rxjs';
import type { MessageState } from '../messageState';
import { syncStep } from './stepInternals';
import { requireDoc } from './documentInternals';

/** Step 2: Exclusive XML Canonicalization 1.0 of the whole envelope into `state.canonical`. */
export function canonicalize(): OperatorFunction<MessageState, MessageState> {
  return syncStep('canonicalize', (state) => {
    state.canonical = c14n(requireDoc(state));
  });
}
