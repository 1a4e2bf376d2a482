import { z } from 'zod';
import { createOrganism, definePayload, type ListenerSpec, type Organism, type OrganismOptions } from '@organism/core';
import { Greeting, handleGreeting } from '../../../../examples/hello/greeter.js';

/** `<nap><ms>50</ms><label>a</label></nap>`: answered with `<napped>` after `ms`. */
export const Nap = definePayload('Nap', z.object({ ms: z.number().int().min(0).max(10_000), label: z.string() }));
/** `<whoami><n>1</n></whoami>`: answered with the sender the handler saw. */
export const WhoAmI = definePayload('WhoAmI', z.object({ n: z.number().int() }));

export const GREETING = '<greeting><name>World</name></greeting>';

/**
 * A small organism for server tests: greeter, a sleeper, and a listener that tells the sender who it
 * is, followed by `more` listeners a test needs of its own.
 */
export function testOrganism(options: Partial<OrganismOptions> = {}, more: readonly ListenerSpec[] = []): Organism {
  return createOrganism({
    name: 'server-test',
    listeners: [
      { name: 'greeter', payload: Greeting, description: 'Greets', handler: handleGreeting },
      {
        name: 'sleeper',
        payload: Nap,
        description: 'Answers after a while',
        handler: async ({ ms, label }: { ms: number; label: string }) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return `<napped><label>${label}</label></napped>`;
        },
      },
      {
        name: 'mirror',
        payload: WhoAmI,
        description: 'Says who sent it',
        handler: (_: { n: number }, ctx) => `<you><from>${ctx.from}</from><thread>${ctx.thread}</thread></you>`,
      },
      ...more,
    ],
    ...options,
  });
}
