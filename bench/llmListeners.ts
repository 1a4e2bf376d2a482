import { z } from 'zod';
import { definePayload, type Handler } from '@organism/core';

/** What the bench's agent receives. */
export const Task = definePayload('Task', z.object({ n: z.number() }));
/** The tool the model's payload calls: its handler notes when it started. */
export const Ping = definePayload('Ping', z.object({ n: z.number() }));

export const probe = { starts: [] as bigint[] };
export const ping: Handler<{ n: number }> = () => {
  probe.starts.push(process.hrtime.bigint());
};
