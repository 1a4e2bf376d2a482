import { z } from 'zod';
import { delay } from 'rxjs';
import { createOrganism, definePayload, STEP_NAMES } from '@organism/core';

const Greeting = definePayload('Greeting', z.object({ name: z.string().min(1) }));
const GreetingResponse = definePayload('GreetingResponse', z.object({ message: z.string() }));
const greeter = { name: 'greeter', payload: Greeting, description: 'greets', handler: ({ name }: { name: string }) => GreetingResponse.of({ message: `Hello, ${name}!` }) };

async function run(label: string, opts: any, act: (org: any) => Promise<void>) {
  const org = createOrganism({ listeners: [greeter], ...opts });
  const out: string[] = [];
  org.errors$.subscribe((e: any) => out.push(`ERR ${e.code} step=${e.step} from=${e.from} ${e.message.slice(0, 150)}`));
  org.egress$.subscribe((m: any) => out.push(`EGRESS ${m.from}->${m.to} ${m.tag} ${m.payload.slice(0, 200)}`));
  try { await act(org); } catch (e: any) { out.push(`THROW ${e.code} ${e.message}`); }
  await org.whenIdle();
  console.log(`--- ${label}\n  ` + out.join('\n  '));
  await org.close();
}
const env = (meta: string, payload: string) => `<message xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta>${meta}</meta>${payload}</message>`;
const T = '3f1c2a4b-1234-4abc-8def-0123456789ab';
await run('ok', {}, (o) => o.send('greeter', '<greeting><name>W</name></greeting>'));
await run('notxml', {}, (o) => o.inject('<not valid xml', { from: 'user' }));
await run('notxml-noid', {}, (o) => o.inject('<not valid xml'));
await run('nofrom', {}, (o) => o.inject(env('<to>greeter</to>', '<greeting><name>W</name></greeting>'), { from: 'alice' }));
await run('two', {}, (o) => o.inject(env(`<from>user</from><to>greeter</to><thread>${T}</thread>`, '<greeting><name>W</name></greeting><greeting><name>X</name></greeting>')));
await run('unknown', {}, (o) => o.inject(env(`<from>user</from><thread>${T}</thread>`, '<mystery/>')));
await run('invalid', {}, (o) => o.send('greeter', '<greeting><name></name></greeting>'));
await run('large', { limits: { maxBytes: 1024 } }, (o) => o.send('greeter', `<greeting><name>${'x'.repeat(2000)}</name></greeting>`));
await run('large-markup', { limits: { maxBytes: 4096 } }, (o) => o.send('greeter', `<greeting><name>W</name>${'<a/>'.repeat(1500)}</greeting>`));
await run('deep', {}, (o) => o.send('greeter', `<greeting><name>W</name>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</greeting>`));
await run('dtd', {}, (o) => o.inject(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` + env(`<from>user</from><to>greeter</to><thread>${T}</thread>`, '<greeting><name>&lol2;</name></greeting>')));
for (const after of STEP_NAMES) await run('delay after ' + after, { operators: [{ after, operator: delay(1) }] }, (o) => o.send('greeter', '<greeting><name>W</name></greeting>'));
