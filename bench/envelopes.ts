import { randomUUID } from 'node:crypto';
import { buildEnvelope } from '@organism/xml';

/** Pre-built `<greeting>` envelopes from `user` to `greeter`, one thread each. */
export interface GreetingEnvelopes {
  readonly envelopes: readonly string[];
  /** `threads[i]` is the thread of `envelopes[i]` (lower-case UUID v4, as the pump keeps it). */
  readonly threads: readonly string[];
}

/**
 * The envelope the round trip injects: a bare `<greeting>` with `<to>greeter</to>`, as a client
 * would send it, built by the same `buildEnvelope` the pump uses for responses.
 *
 * @example
 * greetingEnvelope(7, randomUUID());
 * // <message xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta><from>user</from><to>greeter</to>
 * // <thread>…</thread></meta><greeting xmlns=""><name>World 7</name></greeting></message>
 */
export function greetingEnvelope(index: number, thread: string): string {
  return buildEnvelope({ from: 'user', to: 'greeter', thread }, `<greeting><name>World ${index}</name></greeting>`);
}

/** `count` greeting envelopes, built before any clock starts. */
export function greetingEnvelopes(count: number): GreetingEnvelopes {
  const envelopes: string[] = new Array(count);
  const threads: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    threads[i] = randomUUID();
    envelopes[i] = greetingEnvelope(i, threads[i]!);
  }
  return { envelopes, threads };
}

/** A bare `<notice>` without `<to>`: it goes to every broadcast listener that accepts it. */
export function noticeEnvelope(index: number): string {
  return buildEnvelope({ from: 'user', thread: randomUUID() }, `<notice><text>event ${index}</text></notice>`);
}

/** Asks the `streamer` listener for `count` payloads, one every `periodMs`. */
export function streamRequestEnvelope(count: number, periodMs: number): string {
  return buildEnvelope(
    { from: 'user', to: 'streamer', thread: randomUUID() },
    `<streamrequest><count>${count}</count><periodms>${periodMs}</periodms></streamrequest>`,
  );
}
