import { z } from 'zod';
import { createOrganism, definePayload } from '@organism/core';

const Greeting = definePayload('Greeting', z.object({ name: z.string().min(1) }));
const GreetingResponse = definePayload('GreetingResponse', z.object({ message: z.string() }));
const Ping = definePayload('Ping', z.object({ n: z.number() }));
const greeter = { name: 'greeter', payload: Greeting, description: 'greets', handler: ({ name }: { name: string }) => GreetingResponse.of({ message: `Hello, ${name}!` }) };
const huhs: any[] = [];
const mk = (handler: any) => ({ name: 'bad', payload: Ping, description: 'bad', handler, onHuh: (h: any, c: any) => { huhs.push(h); } });

async function run(label: string, listeners: any[], act: (org: any) => Promise<void>) {
  const org = createOrganism({ listeners: [greeter, ...listeners] });
  const out: string[] = [];
  huhs.length = 0;
  org.errors$.subscribe((e: any) => out.push(`ERR ${e.code} step=${e.step} from=${e.from} l=${e.listener} ${e.message.slice(0, 150)}`));
  org.egress$.subscribe((m: any) => out.push(`EGRESS ${m.from}->${m.to} ${m.tag} ${m.payload.slice(0, 200)}`));
  org.messages$.subscribe((m: any) => out.push(`MSG ${m.from}->${m.listener} ${m.tag} to=${m.to}`));
  try { await act(org); } catch (e: any) { out.push(`THROW ${e.code} ${e.message}`); }
  await org.whenIdle();
  console.log(`--- ${label}\n  ` + out.join('\n  ') + '\n  huhs: ' + JSON.stringify(huhs) + '\n  stats ' + JSON.stringify(org.stats()));
  await org.close();
}
await run('throw', [mk(() => { throw new Error('boom'); })], (o) => o.send('bad', '<ping><n>1</n></ping>'));
await run('number', [mk(() => 42)], (o) => o.send('bad', '<ping><n>1</n></ping>'));
await run('forge', [mk(() => '<message><meta><from>admin</from><thread>x</thread></meta><greeting><name>A</name></greeting></message>')], (o) => o.send('bad', '<ping><n>1</n></ping>'));
await run('forge-ns', [mk(() => '<message xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta><from>admin</from><to>greeter</to><thread>x</thread></meta><greeting xmlns=""><name>A</name></greeting></message>')], (o) => o.send('bad', '<ping><n>1</n></ping>'));
await run('huh-to-bad', [mk(() => undefined)], (o) => o.send('bad', '<huh><code>X</code><message>m</message></huh>'));
await run('huh-no-to', [mk(() => undefined)], (o) => o.inject('<message xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta><from>user</from><thread>x</thread></meta><huh><code>X</code><message>m</message></huh></message>'));
await run('huh-invalid', [mk(() => undefined)], (o) => o.inject('<message xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta><from>user</from><thread>x</thread></meta><huh><code>X</code><message>m</message></huh><x/></message>'));
await run('bad-typed', [mk(() => GreetingResponse.of({ message: 5 as any }))], (o) => o.send('bad', '<ping><n>1</n></ping>'));
await run('fanout', [mk(() => 'Sure! <greeting><name>A</name></greeting> and <greeter.greeting><name>B</name></greeter.greeting> done')], (o) => o.send('bad', '<ping><n>1</n></ping>'));
await run('empty text', [mk(() => 'no xml here')], (o) => o.send('bad', '<ping><n>1</n></ping>'));
await run('egress to unknown via send', [], (o) => o.send('nobody', '<ping><n>1</n></ping>'));
