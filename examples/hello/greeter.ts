import { z } from 'zod';
import { definePayload, type Handler } from '@organism/core';

/** What the greeter accepts: `<greeting><name>World</name></greeting>`. */
export const Greeting = definePayload(
  'Greeting',
  z.object({ name: z.string().min(1).max(200).describe('Who to greet') }),
);

/** What it answers: `<greetingresponse><message>Hello, World!</message></greetingresponse>`. */
export const GreetingResponse = definePayload(
  'GreetingResponse',
  z.object({ message: z.string().describe('The greeting') }),
);

/** Greets whoever is named; the reply goes back to the sender. */
export const handleGreeting: Handler<z.infer<typeof Greeting.schema>> = async ({ name }) =>
  GreetingResponse.of({ message: `Hello, ${name}!` });
