// Run by xmlWorker.test as a child process: leaves an organism open (never closed) after its work,
// with the XML worker started. The process must still exit on its own: an idle worker is unref'd.
// argv[2]: 'idle' (the worker starts but never gets a batch) or 'used' (it prepares batches).
import { z } from 'zod';
import { createOrganism, definePayload } from '../../src/index.js';
import { envelopeXml } from './envelopes.js';

const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
const greeter = { name: 'greeter', payload: Greeting, description: 'Takes greetings', handler: () => undefined };

const mode = process.argv[2] ?? 'idle';
const org = createOrganism({ listeners: [greeter], xmlWorker: 'on' });
for (let i = 0; i < 600 && org.stats().xmlWorker !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
if (org.stats().xmlWorker !== 'ready') throw new Error(`the XML worker is ${org.stats().xmlWorker}`);
if (mode === 'used') {
  for (let i = 0; i < 500; i++) await org.inject(envelopeXml({ from: 'user', to: 'greeter' }, `<greeting><name>n${i}</name></greeting>`));
}
await org.whenIdle();
const { preparedOnWorker } = org.stats();
if ((mode === 'used') !== preparedOnWorker > 0) throw new Error(`mode ${mode} but ${preparedOnWorker} prepared on the worker`);
console.log(`done ${mode}`);
