import { buildEnvelope } from '@organism/xml';
import { map, type OperatorFunction } from 'rxjs';
import type { RoutingTable } from '../routingTable.js';
import type { Call } from './dispatch.js';
import type { ResponseItem } from './extractResponses.js';

/** A response ready to re-enter the pump: envelope text plus the plain meta it was built with. */
export type OutboundItem =
  | {
      readonly kind: 'envelope';
      readonly call: Call;
      readonly envelope: string;
      readonly from: string;
      readonly thread: string;
      readonly to?: string;
      /** A reply to the previous hop: delivering it does not extend the call chain. */
      readonly reply: boolean;
      /** The call chain the message travels with (pruned for a reply). */
      readonly chain: readonly string[];
      /** The payload as serialized, its root tag and namespace (the pass need not re-parse). */
      readonly payloadXml: string;
      readonly tag: string;
      readonly ns: string;
    }
  | Exclude<ResponseItem, { kind: 'payload' }>;

/**
 * Step 11: wrap each response payload in a fresh envelope whose `<from>` is the listener's name
 * and whose `<thread>` is the call's thread. `<to>` is: the explicit recipient if the handler
 * named one; the previous hop for `respond()`/`<return>`; otherwise none when the tag routes
 * inside the organism on its own, else (not for agents) the previous hop: an implicit reply.
 */
export function envelope(env: { routing(): RoutingTable }): OperatorFunction<ResponseItem, OutboundItem> {
  return map((item) => {
    if (item.kind !== 'payload') return item;
    const { call } = item;
    // Agents reply explicitly (respond() / <return>), so an agent's mistyped tool call gets a <huh>
    // instead of leaking to its caller; other listeners reply implicitly with what routes nowhere else.
    const to = item.respond
      ? call.respondTo
      : (item.to ?? (call.listener.agent ? undefined : env.routing().responseTo(item.tag, call.respondTo)));
    const reply = item.respond === true || (item.to === undefined && to !== undefined);
    const from = call.listener.name;
    const thread = call.thread;
    const envelopeXml = buildEnvelope(to === undefined ? { from, thread } : { from, to, thread }, item.xml);
    const chain = reply ? call.chain.slice(0, -1) : call.chain;
    const ns = item.ns ?? '';
    return to === undefined
      ? { kind: 'envelope', call, envelope: envelopeXml, from, thread, reply, chain, payloadXml: item.xml, tag: item.tag, ns }
      : { kind: 'envelope', call, envelope: envelopeXml, from, to, thread, reply, chain, payloadXml: item.xml, tag: item.tag, ns };
  });
}
