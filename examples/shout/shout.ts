import { z } from 'zod';
import { definePayload, type Handler } from '@organism/core';

export const Shout = definePayload(
  'Shout',
  z.object({
    text: z.string().min(1).describe('What to shout'),
    times: z.number().int().min(1).max(3).default(1).describe('How many times'),
  }),
);

export const Echo = definePayload('Echo', z.object({ text: z.string() }));

export const shout: Handler<z.infer<typeof Shout.schema>> = ({ text, times }) =>
  Echo.of({ text: Array(times).fill(text.toUpperCase()).join(' ') });
