import { z } from 'zod';
import { definePayload, type Handler } from '@organism/core';

export const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
const GreetingResponse = definePayload('GreetingResponse', z.object({ message: z.string() }));
export const handleGreeting: Handler<z.infer<typeof Greeting.schema>> = async ({ name }) => GreetingResponse.of({ message: `Hello, ${name}!` });
