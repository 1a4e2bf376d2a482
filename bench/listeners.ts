import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { definePayload, type ListenerSpec } from '@organism/core';

// The greeter of examples/hello, declared in code so the bench owns what it measures.

/** `<greeting><name>World</name></greeting>` */
export const Greeting = definePayload('Greeting', z.object({ name: z.string().min(1).max(200).describe('Who to greet') }));

/** `<greetingresponse><message>Hello, World!</message></greetingresponse>` */
export const GreetingResponse = definePayload('GreetingResponse', z.object({ message: z.string().describe('The greeting') }));

export const GREETER_DESCRIPTION = 'Greets whoever is named';

/**
 * The greeter: answers a typed GreetingResponse to the sender (which leaves on egress$).
 * `onCall` sees the thread as the handler starts; `delayMs` makes it a slow handler.
 */
export function greeter(options: { delayMs?: number; onCall?: (thread: string) => void } = {}): ListenerSpec<z.infer<typeof Greeting.schema>> {
  const { delayMs = 0, onCall } = options;
  return {
    name: 'greeter',
    payload: Greeting,
    description: GREETER_DESCRIPTION,
    handler: async ({ name }, context) => {
      onCall?.(context.thread);
      if (delayMs > 0) await sleep(delayMs);
      return GreetingResponse.of({ message: `Hello, ${name}!` });
    },
  };
}

/** `<notice><text>…</text></notice>`, sent without `<to>` to every broadcast listener. */
export const Notice = definePayload('Notice', z.object({ text: z.string().describe('What happened') }));

/** `count` broadcast listeners (`observer0`…) that accept Notice and answer nothing. */
export function observers(count: number, onCall: () => void): ListenerSpec<z.infer<typeof Notice.schema>>[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `observer${i}`,
    payload: Notice,
    description: 'Records notices',
    broadcast: true,
    handler: async () => {
      onCall();
    },
  }));
}

/** `<streamrequest><count>20</count><periodms>10</periodms></streamrequest>` */
export const StreamRequest = definePayload(
  'StreamRequest',
  z.object({ count: z.number().int().min(1).max(100), periodms: z.number().int().min(1).max(1000) }),
);

/** `<chunk><n>0</n><text>…</text></chunk>`: one streamed payload, routed to the sink by its bare tag. */
export const Chunk = definePayload('Chunk', z.object({ n: z.number().int(), text: z.string() }));

/**
 * Streams `count` `<chunk>` payloads as text, like an LLM: payload i is written in three pieces
 * over its own `periodms` slot, and its closing tag arrives at (i + 1) × periodms after the
 * handler started. `onClosed(i)` fires as the closing piece is yielded.
 */
export function streamer(onClosed: (n: number) => void, onEnd: () => void): ListenerSpec<z.infer<typeof StreamRequest.schema>> {
  return {
    name: 'streamer',
    payload: StreamRequest,
    description: 'Streams chunks',
    handler: ({ count, periodms }) => {
      const start = performance.now();
      const until = (at: number) => sleep(Math.max(0, start + at - performance.now()));
      return (async function* () {
        for (let n = 0; n < count; n++) {
          await until(n * periodms);
          yield `<chunk><n>${n}</n>`;
          await until(n * periodms + periodms / 2);
          yield `<text>piece ${n} of ${count}, `;
          await until((n + 1) * periodms);
          onClosed(n);
          yield 'streamed</text></chunk>\n';
        }
        onEnd();
      })();
    },
  };
}

/** Receives the streamed chunks; `onCall(n)` marks the dispatch of chunk n. */
export function sink(onCall: (n: number) => void): ListenerSpec<z.infer<typeof Chunk.schema>> {
  return {
    name: 'sink',
    payload: Chunk,
    description: 'Receives chunks',
    handler: ({ n }) => {
      onCall(n);
    },
  };
}
