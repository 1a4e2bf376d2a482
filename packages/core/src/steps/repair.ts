import type { OperatorFunction } from 'rxjs';
import type { XmlLimits } from '@organism/xml';
import type { MessageState, PumpEnv } from '../messageState.js';
import { syncStep } from './stepInternals.js';
import { parseInput } from './documentInternals.js';
import { preparedOf, replayFailure } from './prepared.js';

/** The repair step's work on one state (also run ahead of the pass, off the main thread). */
export function repairState(state: MessageState, limits: Partial<XmlLimits>): void {
  if (state.built) return; // the organism's own envelope: nothing to repair
  const parsed = parseInput(state, limits);
  state.parsed = parsed;
  state.repairs = parsed.repairs;
}

/**
 * Step 1: parse the envelope bytes with libxml2; malformed XML is repaired with libxml2's recovery
 * semantics and the repair is recorded in `state.repairs`. Oversized, too deep or DTD-bearing
 * input fails here.
 */
export function repair(env: Pick<PumpEnv, 'limits'>): OperatorFunction<MessageState, MessageState> {
  return syncStep('repair', (state) => {
    const prepared = preparedOf(state);
    if (prepared === undefined) return repairState(state, env.limits);
    state.repairs = prepared.repairs;
    replayFailure(prepared, 'repair');
  });
}
