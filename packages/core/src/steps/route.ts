import { OrganismError } from '@organism/xml';
import type { OperatorFunction } from 'rxjs';
import type { MessageState, PumpEnv } from '../messageState.js';
import { META_NS, isMetaRequest } from '../introspection.js';
import { SYSTEM_SENDER } from '../huh.js';
import { syncStep } from './stepInternals.js';

/**
 * Step 6: resolve the recipients: a full root tag, a bare tag plus `<to>`, or a bare tag to the
 * broadcast set / single acceptor. A `<to>` naming no listener leaves on egress only when a
 * listener sends it to a known external party: the thread's originating sender, a declared or
 * connected external (`env.isExternal`); anything else is ORG_ERR_ROUTE_UNKNOWN, and a message
 * from outside may address listeners only. An agent may only address its declared peers (and
 * itself); its replies to its caller are always allowed. Introspection requests (meta
 * namespace) are marked for the organism to answer.
 */
export function route(env: Pick<PumpEnv, 'routing' | 'isExternal'>): OperatorFunction<MessageState, MessageState> {
  return syncStep('route', (state) => {
    if (state.tag === undefined) throw new OrganismError('ORG_ERR_INTERNAL', 'route needs the payload tag');
    const table = env.routing();
    if (state.ns === META_NS) {
      if (isMetaRequest(state.tag)) {
        state.route = { kind: 'meta' };
        return;
      }
      // Answers come from the organism only.
      if (state.origin === 'system' && state.from === SYSTEM_SENDER && state.to !== undefined) {
        const listener = table.listeners.get(state.to.toLowerCase());
        state.route = listener ? { kind: 'system', listener } : { kind: 'egress', to: state.to };
        return;
      }
    }
    const resolved = table.route(state.tag, state.to, state.origin === 'system' && state.from === SYSTEM_SENDER);
    if (resolved.kind === 'error') throw resolved.error;
    if (resolved.kind === 'egress') checkEgress(state, resolved.to, env.isExternal);
    if (resolved.kind === 'deliver' && state.origin === 'response' && !state.reply && state.identity !== undefined) {
      const sender = table.listeners.get(state.identity.toLowerCase());
      if (sender?.agent) {
        const peers = new Set(sender.peers.map((p) => p.toLowerCase()));
        const stranger = resolved.targets.find((t) => t.listener !== sender && !peers.has(t.listener.key));
        if (stranger) {
          throw new OrganismError(
            'ORG_ERR_PEER_VIOLATION',
            `agent "${sender.name}" may not address "${stranger.listener.name}": it is not one of its peers (add it to peers in organism.yaml)`,
          );
        }
      }
    }
    state.route = resolved;
  });
}

/** Egress reaches known external parties only; see {@link route}. */
function checkEgress(state: MessageState, to: string, isExternal: (name: string) => boolean): void {
  if (state.origin === 'system') return;
  if (state.origin === 'external') {
    throw new OrganismError(
      'ORG_ERR_ROUTE_UNKNOWN',
      `no listener is named "${to}": a message from outside the organism may address listeners only`,
    );
  }
  const originator = state.chain?.[0];
  if (originator !== undefined && originator.toLowerCase() === to.toLowerCase()) return;
  if (isExternal(to)) return;
  throw new OrganismError(
    'ORG_ERR_ROUTE_UNKNOWN',
    `"${to}" is neither a listener nor a known external party: address a listener, the thread's sender${originator !== undefined ? ` "${originator}"` : ''}, or a name declared under externals: in organism.yaml`,
  );
}
