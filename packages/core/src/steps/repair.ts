import type { OperatorFunction } from 'rxjs';
import type { MessageState, PumpEnv } from '../messageState';
import { syncStep } from './stepInternals';
import { parseInput } from './documentInternals';

/**
 * Step 1: parse the envelope bytes with libxml2; malformed XML is repaired with libxml2's recovery
 * semantics and the repair is recorded in `state.repairs`. Oversized, too deep or DTD-bearing
 * input fails here.
 */
export function repair(env: Pick<PumpEnv, 'limits'>): OperatorFunction<MessageState, MessageState> {
  return syncStep('repair', (state) => {
    if (state.built) return; // the organism's own envelope: nothing to repair
    const parsed = parseInput(state, env.limits);
    state.parsed = parsed;
    state.repairs = parsed.repairs;
  });
}
