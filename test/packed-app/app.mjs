// Run by test/packages.test.ts with plain `node app.mjs` in an empty project where the packed
// tarballs are installed: no TypeScript loader, only the packages' built JavaScript. Prints one
// line per check; the process must then exit by itself (nothing keeps it alive after close()).
import { z } from 'zod';
import { createOrganism, definePayload, loadOrganism } from '@organism/core';
import { ENVELOPE_NS } from '@organism/xml';

const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
const GreetingResponse = definePayload('GreetingResponse', z.object({ message: z.string() }));
const greeter = {
  name: 'greeter',
  payload: Greeting,
  description: 'Answers a greeting',
  handler: async ({ name }) => GreetingResponse.of({ message: `Hello, ${name}!` }),
};

// A round trip, with the XML worker thread started and used (it runs its built workerMain.js).
const org = createOrganism({ listeners: [greeter], xmlWorker: 'on' });
const replies = [];
org.egress$.subscribe((m) => replies.push(m.payload));
org.errors$.subscribe((e) => console.log(`error ${e.code}: ${e.message}`));
for (let i = 0; i < 600 && org.stats().xmlWorker !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
console.log(`worker ${org.stats().xmlWorker}`);
const thread = '3f1c2a4b-1234-4abc-8def-0123456789ab';
for (let i = 0; i < 200; i++) {
  await org.inject(`<message xmlns="${ENVELOPE_NS}"><meta><from>user</from><to>greeter</to><thread>${thread}</thread></meta><greeting xmlns=""><name>n${i}</name></greeting></message>`);
}
await org.send('greeter', '<greeting><name>World</name></greeting>', { from: 'user' });
await org.whenIdle();
console.log(`replies ${replies.length}, on the worker ${org.stats().preparedOnWorker > 0 ? 'some' : 'none'}`);
console.log(replies.find((reply) => reply.includes('World')));
await org.close();

// A .ts module named in organism.yaml, with no TypeScript loader installed: a coded error.
try {
  await loadOrganism('organism.yaml');
  console.log('loaded organism.yaml');
} catch (error) {
  console.log(`load ${error.code}: ${error.message}`);
}
