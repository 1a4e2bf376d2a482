import { OrganismError } from '@organism/xml';
import type { OperatorFunction } from 'rxjs';
import type { MessageState, PumpEnv } from '../messageState';
import { syncStep } from './stepInternals';

/**
 * Step 6: resolve the recipients: a full root tag, a bare tag plus `<to>`, or a bare tag to the
 * broadcast set / single acceptor. A `<to>` naming no listener leaves on egress.
 */
export function route(env: Pick<PumpEnv, 'routing'>): OperatorFunction<MessageState, MessageState> {
  return syncStep('route', (state) => {
    if (state.tag === undefined) throw new OrganismError('ORG_ERR_INTERNAL', 'route needs the payload tag');
    const resolved = env.routing().route(state.tag, state.to);
    if (resolved.kind === 'error') throw resolved.error;
    state.route = resolved;
  });
}
