// The benchmark's listener, plain JavaScript so the worker process runs under plain node.
import { z } from 'zod';
import { definePayload } from '@organism/core';

export const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
export const GreetingResponse = definePayload('GreetingResponse', z.object({ message: z.string() }));
export const greet = ({ name }) => GreetingResponse.of({ message: `Hello, ${name}!` });
