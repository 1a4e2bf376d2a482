import { buildEnvelope } from '@organism/xml';
import { map, type OperatorFunction } from 'rxjs';
import type { RoutingTable } from '../routingTable';
import type { Call } from './dispatch';
import type { ResponseItem } from './extractResponses';

/** A response ready to re-enter the pump: envelope text plus the trusted meta it was built with. */
export type OutboundItem =
  | { readonly kind: 'envelope'; readonly call: Call; readonly envelope: string; readonly from: string; readonly thread: string; readonly to?: string }
  | Exclude<ResponseItem, { kind: 'payload' }>;

/**
 * Step 11: wrap each response payload in a fresh envelope whose `<from>` is the listener's name
 * and whose `<thread>` is the call's thread. `<to>` is the explicit recipient if the handler named
 * one; otherwise none when the tag routes inside the organism on its own, else the caller (a reply).
 */
export function envelope(env: { routing(): RoutingTable }): OperatorFunction<ResponseItem, OutboundItem> {
  return map((item) => {
    if (item.kind !== 'payload') return item;
    const { call } = item;
    const to = item.to ?? env.routing().responseTo(item.tag, call.caller);
    const from = call.listener.name;
    const meta = to === undefined ? { from, thread: call.thread } : { from, to, thread: call.thread };
    return { kind: 'envelope', call, envelope: buildEnvelope(meta, item.xml), ...meta };
  });
}
