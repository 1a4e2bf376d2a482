import { jest } from '@jest/globals';
import { z } from 'zod';
import { definePayload, type Handler, type ListenerSpec } from '../../src/index.js';

/** `<greeting><name>World</name></greeting>` */
export const Greeting = definePayload('Greeting', z.object({ name: z.string().min(1) }));
/** `<greetingresponse><message>Hello, World!</message></greetingresponse>` */
export const GreetingResponse = definePayload('GreetingResponse', z.object({ message: z.string() }));
/** `<alert><level>3</level></alert>` */
export const Alert = definePayload('Alert', z.object({ level: z.number().int() }));
/** `<note><text>hi</text></note>` */
export const Note = definePayload('Note', z.object({ text: z.string() }));
/** `<ping><n>1</n></ping>` */
export const Ping = definePayload('Ping', z.object({ n: z.number().int() }));

export const GREETING = '<greeting><name>World</name></greeting>';
export const HELLO_WORLD = '<greetingresponse><message>Hello, World!</message></greetingresponse>';

/** The greeter every organism test can count on: answers a greeting to its sender. */
export const greeter: ListenerSpec<{ name: string }> = {
  name: 'greeter',
  payload: Greeting,
  description: 'Answers a greeting',
  handler: ({ name }) => GreetingResponse.of({ message: `Hello, ${name}!` }),
};

/** A listener spec whose handler does nothing unless given one. */
export function listener(name: string, payload: ListenerSpec['payload'], extra: Partial<ListenerSpec> = {}): ListenerSpec {
  return { name, payload, description: `${name} listener`, handler: () => undefined, ...extra };
}

/** A handler spy that answers nothing. */
export function handlerSpy() {
  return jest.fn<Handler>();
}
