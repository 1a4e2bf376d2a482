import { z } from 'zod';
import * as core from '@organism/core';
import { definePayload, type Handler } from '@organism/core';

// The module's view of @organism/core, for load.mjs to compare with its own.
(globalThis as { tsModuleCore?: unknown }).tsModuleCore = core;

export const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
const GreetingResponse = definePayload('GreetingResponse', z.object({ message: z.string() }));
export const handleGreeting: Handler<z.infer<typeof Greeting.schema>> = async ({ name }) => GreetingResponse.of({ message: `Hello, ${name}!` });
