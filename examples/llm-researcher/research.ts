import { z } from 'zod';
import { definePayload } from '@organism/core';

/** `<question><text>What are the sum and product of 6 and 7?</text></question>` */
export const Question = definePayload('Question', z.object({ text: z.string().describe('A question about numbers') }));

/** What the researcher answers with (inside `<return>`). */
export const Answer = definePayload('Answer', z.object({ text: z.string().describe('The answer in words') }));
