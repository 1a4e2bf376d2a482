import { expect } from '@jest/globals';
import type { EgressMessage, Organism, OrganismErrorEvent, RoutedMessage } from '../../src/index.js';
import { GREETING, HELLO_WORLD } from './contracts.js';

/** Everything an organism emitted, recorded from before the first message. */
export interface Watch {
  readonly messages: RoutedMessage[];
  readonly errors: OrganismErrorEvent[];
  readonly egress: EgressMessage[];
  /** Egress `<huh>` payloads. */
  huhs(): EgressMessage[];
}

export function watch(org: Organism): Watch {
  const w: Watch = {
    messages: [],
    errors: [],
    egress: [],
    huhs: () => w.egress.filter((m) => m.tag === 'huh'),
  };
  org.messages$.subscribe((m) => w.messages.push(m));
  org.errors$.subscribe((e) => w.errors.push(e));
  org.egress$.subscribe((m) => w.egress.push(m));
  return w;
}

/** The organism still answers a greeting (it must have the standard greeter). */
export async function expectStillServing(org: Organism, w: Watch): Promise<void> {
  const thread = await org.send('greeter', GREETING);
  await org.whenIdle();
  expect(w.egress.filter((m) => m.thread === thread)).toEqual([
    expect.objectContaining({ from: 'greeter', to: 'user', tag: 'greetingresponse', payload: HELLO_WORLD }),
  ]);
}
