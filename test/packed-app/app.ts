// Type-checked by test/packages.test.ts against the packed packages' .d.ts, as a user's project
// does it: module and moduleResolution nodenext, strict, skipLibCheck off (tsconfig.json here).
import { z } from 'zod';
import type { Subscription } from 'rxjs';
import { createOrganism, definePayload, loadConfig, type Handler, type Organism } from '@organism/core';
import { ErrorCodes, OrganismError } from '@organism/xml';
import { definePayload as definePayloadFromSchema } from '@organism/schema';
import { CloseCodes, startServer, type OrganismServer } from '@organism/server';
import { natsSubjects, natsTransport, type NatsTransport } from '@organism/nats';
import { createProgram, validateOrganism } from '@organism/cli';
import { createLlmRouter } from '@organism/llm';

const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
const GreetingResponse = definePayloadFromSchema('GreetingResponse', z.object({ message: z.string() }));
const handler: Handler<z.infer<typeof Greeting.schema>> = async ({ name }) => GreetingResponse.of({ message: `Hello, ${name}!` });

export async function main(): Promise<void> {
  const org: Organism = createOrganism({ listeners: [{ name: 'greeter', payload: Greeting, description: 'Greets', handler }] });
  const subscription: Subscription = org.egress$.subscribe((m) => console.log(m.payload.length));
  const server: OrganismServer = await startServer(org, { port: 0 });
  const code: keyof typeof ErrorCodes = 'ORG_ERR_CONFIG';
  console.log(new OrganismError(code, 'typed').code, CloseCodes, typeof createProgram, typeof validateOrganism, typeof loadConfig, typeof createLlmRouter);
  const connectTransport: (url: string) => Promise<NatsTransport> = (url) => natsTransport({ servers: url, organism: 'hello', listeners: ['greeter'], egress: true });
  console.log(natsSubjects('hello').stream, typeof connectTransport);
  await server.close();
  subscription.unsubscribe();
  await org.close();
}
