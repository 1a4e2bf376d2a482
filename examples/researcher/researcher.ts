import { z } from 'zod';
import { definePayload, respond, type Handler } from '@organism/core';
import { CalcResult } from '../calculator/calculator.js';

/**
 * A scripted agent (no model needed) that behaves like an LLM agent: it answers a question by
 * calling two tools in parallel with raw XML (as a model would write it), collects both results
 * on its thread, and answers whoever asked with `respond()`: the organism knows the call chain,
 * so the agent never tracks its caller.
 */
export const Question = definePayload(
  'Question',
  z.object({
    a: z.number().describe('First number'),
    b: z.number().describe('Second number'),
  }),
);

export const Answer = definePayload(
  'Answer',
  z.object({
    sum: z.number(),
    product: z.number(),
    text: z.string().describe('The answer in words'),
  }),
);

interface Pending {
  sum?: number;
  product?: number;
}

// Open questions by thread; an entry is removed as soon as its answer is sent. Bounded so a
// flood of questions whose tools never answer cannot grow it without limit.
const MAX_OPEN_QUESTIONS = 10_000;
const open = new Map<string, Pending>();

type Incoming = z.infer<typeof Question.schema> | z.infer<typeof CalcResult.schema>;

export const research: Handler<Incoming> = (payload, ctx) => {
  if (ctx.type === 'Question') {
    const { a, b } = payload as z.infer<typeof Question.schema>;
    if (open.size >= MAX_OPEN_QUESTIONS) throw new Error('too many open questions');
    open.set(ctx.thread, {});
    // Two tool calls in one output, with chatter around them, like a model's reply.
    return `Let me work this out.
<calculator.add.addpayload><a>${a}</a><b>${b}</b></calculator.add.addpayload>
<calculator.multiply.multiplypayload><a>${a}</a><b>${b}</b></calculator.multiply.multiplypayload>`;
  }
  const result = payload as z.infer<typeof CalcResult.schema>;
  const pending = open.get(ctx.thread);
  if (!pending) return undefined;
  if (result.operation === 'add') pending.sum = result.value;
  else pending.product = result.value;
  if (pending.sum === undefined || pending.product === undefined) return undefined;
  open.delete(ctx.thread);
  const { sum, product } = pending;
  return respond(Answer.of({ sum, product, text: `The sum is ${sum} and the product is ${product}.` }));
};
