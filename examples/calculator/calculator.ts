import { z } from 'zod';
import { definePayload, type Handler } from '@organism/core';

const operands = {
  a: z.number().describe('First operand'),
  b: z.number().describe('Second operand'),
};

/** `<addpayload><a>2</a><b>3</b></addpayload>` */
export const AddPayload = definePayload('AddPayload', z.object(operands));
/** `<multiplypayload><a>2</a><b>3</b></multiplypayload>` */
export const MultiplyPayload = definePayload('MultiplyPayload', z.object(operands));

/** The answer of either operation; it goes back to whoever asked. */
export const CalcResult = definePayload(
  'CalcResult',
  z.object({
    operation: z.enum(['add', 'multiply']).describe('Which operation produced the value'),
    value: z.number().describe('The result'),
  }),
);

type Operands = { a: number; b: number };

export const add: Handler<Operands> = ({ a, b }) => CalcResult.of({ operation: 'add', value: a + b });

export const multiply: Handler<Operands> = ({ a, b }) => CalcResult.of({ operation: 'multiply', value: a * b });
