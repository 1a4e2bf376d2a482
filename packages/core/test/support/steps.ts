import { expect } from '@jest/globals';
import { DEFAULT_XML_LIMITS, libxml2Validator, parseXml, type XmlLimits } from '@organism/xml';
import { TestScheduler } from 'rxjs/testing';
import type { ListenerSpec, MessageState } from '../../src/index.js';
import type { Listener } from '../../src/listener.js';
import { createRoutingTable, type RoutingTable } from '../../src/routingTable.js';
import { registerListeners, SchemaCache } from '../../src/register.js';
import { releaseDoc } from '../../src/steps/documentInternals.js';
import type { Call } from '../../src/steps/dispatch.js';

/** A marble scheduler whose frames are compared with jest's `toEqual` (asymmetric matchers work). */
export function marbles(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

let seq = 0;

/** A state as the pump creates it for an arriving envelope. */
export function arriving(input: string, extra: Partial<MessageState> = {}): MessageState {
  return { seq: ++seq, input, origin: 'external', repairs: [], ...extra };
}

/** A state whose envelope is parsed already (what the repair step leaves). */
export function parsed(input: string, extra: Partial<MessageState> = {}): MessageState {
  return arriving(input, { parsed: parseXml(input), ...extra });
}

/** Release every libxml2 document the states hold. */
export function releaseAll(...states: MessageState[]): void {
  for (const state of states) releaseDoc(state);
}

/** Real listeners, registered with real compiled XSDs, and their routing table. */
export interface StepWorld {
  readonly table: RoutingTable;
  readonly listeners: ReadonlyMap<string, Listener>;
  readonly env: { readonly limits: XmlLimits; routing(): RoutingTable; newThreadId(): string; isExternal(name: string): boolean };
  dispose(): void;
}

export function stepWorld(specs: readonly ListenerSpec[], limits: Partial<XmlLimits> = {}, externals: readonly string[] = []): StepWorld {
  const cache = new SchemaCache(libxml2Validator);
  const table = createRoutingTable(registerListeners(specs, cache));
  return {
    table,
    listeners: new Map([...table.listeners.values()].map((l) => [l.name, l])),
    env: { limits: { ...DEFAULT_XML_LIMITS, ...limits }, routing: () => table, newThreadId: () => 'fixed', isExternal: (name) => externals.includes(name.toLowerCase()) },
    dispose: () => cache.dispose(),
  };
}

let callSeq = 0;

/** A handler call of `listener`, as the pump would schedule it. */
export function callOf(listener: Listener, extra: Partial<Call> = {}): Call {
  const type = [...listener.types.values()][0]!.contract.type.name;
  return {
    id: ++callSeq,
    listener,
    thread: '3f1c2a4b-1234-4abc-8def-0123456789ab',
    caller: 'user',
    type,
    chain: ['user', listener.name],
    respondTo: 'user',
    ...extra,
  };
}
