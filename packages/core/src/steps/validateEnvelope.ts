import { validateEnvelope as validate } from '@organism/xml';
import type { OperatorFunction } from 'rxjs';
import type { MessageState } from '../messageState';
import { syncStep } from './stepInternals';
import { requireDoc } from './documentInternals';

/** Step 3: validate the envelope against the project's envelope XSD. */
export function validateEnvelope(): OperatorFunction<MessageState, MessageState> {
  return syncStep('validateEnvelope', (state) => validate(requireDoc(state)));
}
