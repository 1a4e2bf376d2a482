import { afterEach, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { createOrganism, definePayload, type Organism } from '../src/index.js';

const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
const Relay = definePayload('Relay', z.object({ name: z.string() }));
const Boom = definePayload('Boom', z.object({ n: z.number() }));

let org: Organism | undefined;
afterEach(async () => {
  await org?.close();
  org = undefined;
});

function relayOrganism(): Organism {
  return createOrganism({
    listeners: [
      { name: 'greeter', payload: Greeting, description: 'greets', handler: ({ name }: { name: string }) => `<greetingresponse><message>Hello, ${name}!</message></greetingresponse>` },
      {
        name: 'relay',
        payload: Relay,
        description: 'passes a greeting on',
        handler: async ({ name }: { name: string }) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return `<greeter.greeting><name>${name}</name></greeter.greeting>`;
        },
      },
      {
        name: 'boom',
        payload: Boom,
        description: 'throws',
        handler: () => {
          throw new Error('kaboom');
        },
      },
    ],
  });
}

describe('calls$', () => {
  it('emits one event per routed message, after the messages its handler produced were routed', async () => {
    org = relayOrganism();
    const events: string[] = [];
    org.messages$.subscribe((m) => events.push(`routed ${m.listener}`));
    org.calls$.subscribe((c) => events.push(`call ${c.listener} ${c.outcome}`));
    const thread = await org.send('relay', '<relay><name>W</name></relay>');
    await org.whenIdle();
    expect(events).toEqual(['routed relay', 'routed greeter', 'call relay ok', 'call greeter ok']);

    const calls: unknown[] = [];
    org.calls$.subscribe((c) => calls.push(c));
    await org.send('relay', '<relay><name>V</name></relay>', { thread });
    await org.whenIdle();
    expect(calls[0]).toEqual({ listener: 'relay', thread, caller: 'user', type: 'Relay', durationMs: expect.any(Number), outcome: 'ok' });
    expect((calls[0] as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(15);
  });

  it("reports a handler that throws with outcome 'error'", async () => {
    org = relayOrganism();
    const outcomes: string[] = [];
    org.calls$.subscribe((c) => outcomes.push(`${c.listener} ${c.outcome}`));
    await org.send('boom', '<boom><n>1</n></boom>');
    await org.whenIdle();
    expect(outcomes).toEqual(['boom error']);
  });

  it('completes when the organism closes', async () => {
    org = relayOrganism();
    let completed = false;
    org.calls$.subscribe({ complete: () => (completed = true) });
    await org.close();
    expect(completed).toBe(true);
  });
});
