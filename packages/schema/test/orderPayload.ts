import { z } from 'zod';
import { definePayload } from '@organism/schema';

/** A payload type using every construct fromXml reads; shared by the deserializer tests. */
export const Order = definePayload(
  'Order',
  z.object({
    id: z.string(),
    qty: z.number().int().min(1),
    price: z.number(),
    rush: z.boolean(),
    mode: z.enum(['air', 'sea']).optional(),
    tags: z.array(z.string()),
    lines: z.array(z.object({ sku: z.string(), n: z.number().int() })).optional(),
    ship: z.object({ city: z.string(), zip: z.string().optional() }).optional(),
    retries: z.number().int().default(3),
  }),
);
