import { map, type OperatorFunction } from 'rxjs';
import { HANDLER_REPORTED_CODES, OrganismError, type ErrorCode } from '@organism/xml';
import type { MessageState, StepName } from '../messageState.js';

/** Any thrown value as an OrganismError; library errors are wrapped, never leaked. */
export function asOrganismError(error: unknown, code: 'ORG_ERR_INTERNAL' | 'ORG_ERR_HANDLER_THREW' = 'ORG_ERR_INTERNAL'): OrganismError {
  // Whatever a handler throws is the handler's failure, even an OrganismError of another code,
  // except the few codes a plugin's handler reports as its own (ORG_ERR_LLM_*).
  if (error instanceof OrganismError && (code === 'ORG_ERR_INTERNAL' || error.code === code || HANDLER_REPORTED_CODES.has(error.code as ErrorCode))) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OrganismError(code, message, { cause: error });
}

/** Mark the state failed at `step`; the first error wins, later steps skip the state. */
export function fail(state: MessageState, step: StepName, error: unknown): MessageState {
  if (!state.error) {
    state.error = asOrganismError(error);
    state.failedStep = step;
  }
  return state;
}

/**
 * A synchronous standard step: skips failed states and turns anything thrown into the
 * state's error, so one bad message never errors the pump's stream.
 */
export function syncStep(name: StepName, apply: (state: MessageState) => void): OperatorFunction<MessageState, MessageState> {
  return map((state) => {
    if (state.error) return state;
    try {
      apply(state);
    } catch (error) {
      fail(state, name, error);
    }
    return state;
  });
}
