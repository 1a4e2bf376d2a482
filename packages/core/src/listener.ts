import type { PayloadType, Contract } from '@organism/schema';
import type { CompiledSchema } from '@organism/xml';
import type { Handler } from './handler.js';
import type { Huh } from './huh.js';

/**
 * A listener as users declare it, in code or through `organism.yaml`.
 *
 * @example
 * const greeter: ListenerSpec<{ name: string }> = {
 *   name: 'greeter',
 *   payload: Greeting,                       // definePayload('Greeting', z.object({ name: z.string() }))
 *   description: 'Greets whoever is named',
 *   handler: async ({ name }) => `<greetingresponse><message>Hello, ${name}!</message></greetingresponse>`,
 * };
 */
export interface ListenerSpec<T = any> {
  /** Unique name; routing compares names case-insensitively. `organism` is reserved. */
  readonly name: string;
  /** The payload contract(s) this listener accepts. */
  readonly payload: PayloadType<T> | readonly PayloadType<any>[];
  readonly handler: Handler<T>;
  /** Human-readable description; shown to LLM agents in tool prompts. */
  readonly description: string;
  /** Agents have unique root tags, see their own name, and are addressed by full root tag or `<to>`. */
  readonly agent?: boolean;
  /** Listeners an agent may address. */
  readonly peers?: readonly string[];
  /** Receive bare-tag payloads of this type together with the other broadcast listeners. */
  readonly broadcast?: boolean;
  /** Called with a `<huh>` addressed to this listener (an error about something it sent). */
  readonly onHuh?: (huh: Huh, context: { thread: string }) => void | Promise<void>;
  /** Called with the organism's answer (XML) to an introspection request this listener sent. */
  readonly onMeta?: (answerXml: string, context: { thread: string }) => void | Promise<void>;
}

/** One payload type a registered listener accepts. */
export interface AcceptedType {
  readonly contract: Contract<any>;
  /** Lower-cased bare type tag, e.g. `greeting`. */
  readonly tag: string;
  /** Lower-cased full root tag, e.g. `greeter.greeting`. */
  readonly rootTag: string;
  /** Compiled payload schemas: one for the bare tag, one for the full root tag. */
  readonly bareSchema: CompiledSchema;
  readonly rootSchema: CompiledSchema;
}

/** A registered listener (internal). */
export interface Listener {
  readonly name: string;
  /** Lower-cased routing key. */
  readonly key: string;
  readonly description: string;
  readonly agent: boolean;
  readonly peers: readonly string[];
  readonly broadcast: boolean;
  readonly handler: Handler<any>;
  readonly onHuh?: ListenerSpec['onHuh'];
  readonly onMeta?: ListenerSpec['onMeta'];
  /** By lower-cased bare tag. */
  readonly types: ReadonlyMap<string, AcceptedType>;
}
