import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from 'nats';
import { z } from 'zod';
import { createOrganism, definePayload, sendTo, type EgressMessage, type ListenerSpec, type Organism, type OrganismErrorEvent } from '@organism/core';
import { natsSubjects, natsTransport, type NatsTransport, type NatsTransportEvent } from '../src/index.js';
import { startNatsServer, type NatsServer } from './support/natsServer.js';

const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
const greeter: ListenerSpec = {
  name: 'greeter',
  payload: Greeting,
  description: 'greets',
  handler: ({ name }: { name: string }) => `<greetingresponse><message>Hello, ${name}!</message></greetingresponse>`,
};

let server: NatsServer;
let raw: NatsConnection;
beforeAll(async () => {
  server = await startNatsServer();
  raw = await connect({ servers: server.url });
}, 30_000);
afterAll(async () => {
  await raw?.close();
  await server?.stop();
});

/** One organism on the real server: it runs `listeners` and hosts egress. */
async function organismOnNats(name: string, listeners: ListenerSpec[], options: Partial<Parameters<typeof natsTransport>[0]> = {}, budgets?: { maxRepeats?: number }) {
  const transport = await natsTransport({ servers: server.url, organism: name, listeners: listeners.map((l) => l.name), egress: true, ...options });
  const org = createOrganism({ name, listeners, transport, xmlWorker: 'off', ...(budgets ? { budgets } : {}) });
  const egress: EgressMessage[] = [];
  const errors: OrganismErrorEvent[] = [];
  const events: NatsTransportEvent[] = [];
  org.egress$.subscribe((m) => egress.push(m));
  org.errors$.subscribe((e) => errors.push(e));
  transport.events$.subscribe((e) => events.push(e));
  await transport.consuming();
  return { org, transport, egress, errors, events };
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function streamMessages(name: string): Promise<number> {
  const jsm = await raw.jetstreamManager();
  return (await jsm.streams.info(natsSubjects(name).stream)).state.messages;
}

async function deadLetters(name: string): Promise<Array<{ code: string | undefined; subject: string | undefined; body: string }>> {
  const jsm = await raw.jetstreamManager();
  const subjects = natsSubjects(name);
  const out = [];
  const info = await jsm.streams.info(subjects.stream);
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(subjects.stream, { seq }).catch(() => undefined);
    if (message?.subject !== subjects.dead) continue;
    out.push({ code: message.header.get('Organism-Error-Code') || undefined, subject: message.header.get('Organism-Subject') || undefined, body: new TextDecoder().decode(message.data) });
  }
  return out;
}

describe('natsTransport on a real nats-server', () => {
  it('a round trip crosses JetStream: the delivery and the reply are stored, handled, acknowledged and gone from the work queue', async () => {
    const { org, egress, errors, transport } = await organismOnNats('roundtrip', [greeter]);
    const thread = await org.send('greeter', '<greeting><name>World</name></greeting>');
    await until(() => egress.length === 1, 'the reply');
    await org.whenIdle();
    expect(egress).toEqual([expect.objectContaining({ from: 'greeter', to: 'user', thread, payload: '<greetingresponse><message>Hello, World!</message></greetingresponse>' })]);
    expect(errors).toEqual([]);
    expect(org.stats()).toMatchObject({ routed: 1, egressed: 1, pending: 0 });
    await org.close();
    expect(await streamMessages('roundtrip')).toBe(0);
    expect(transport.subjects.deliver('greeter')).toBe('organism.roundtrip.deliver.greeter');
    await transport.close(); // twice is fine
  });

  it('the subject layout escapes names into single tokens without collisions', () => {
    const s = natsSubjects('My Org');
    expect(s.stream).toBe('ORGANISM_my_20org');
    expect(s.deliver('calculator.add')).toBe('organism.my_20org.deliver.calculator_2eadd');
    expect(s.deliver('calculator_2eadd')).not.toBe(s.deliver('calculator.add'));
    expect(s.durable('Calculator.Add')).toBe('deliver-calculator_2eadd');
  });

  it('budgets travel with the work: a listener that keeps sending itself the same payload is stopped by max_repeats', async () => {
    const Tick = definePayload('Tick', z.object({ n: z.number() }));
    let calls = 0;
    const looper: ListenerSpec = {
      name: 'looper',
      payload: Tick,
      description: 'loops',
      handler: () => {
        calls++;
        return sendTo('looper', '<tick><n>1</n></tick>');
      },
    };
    const { org, errors } = await organismOnNats('budgets', [looper], {}, { maxRepeats: 3 });
    await org.send('looper', '<tick><n>1</n></tick>');
    await until(() => errors.some((e) => e.code === 'ORG_ERR_REPEAT'), 'the repeat guard');
    await org.whenIdle();
    expect(calls).toBe(3);
    expect(errors.map((e) => e.code)).toEqual(['ORG_ERR_REPEAT']);
    await org.close();
  });

  it('a message on the stream that the transport did not write goes to the dead-letter subject with ORG_ERR_NATS_MESSAGE', async () => {
    const { org, events } = await organismOnNats('garbage', [greeter]);
    const js = raw.jetstream();
    await js.publish(natsSubjects('garbage').deliver('greeter'), new TextEncoder().encode('not json'));
    await until(() => events.length === 1, 'the dead letter');
    expect(events[0]).toMatchObject({ code: 'ORG_ERR_NATS_DEAD_LETTER', subject: 'organism.garbage.deliver.greeter' });
    expect(events[0]!.message).toContain('ORG_ERR_NATS_MESSAGE');
    await org.close();
    expect(await deadLetters('garbage')).toEqual([{ code: 'ORG_ERR_NATS_MESSAGE', subject: 'organism.garbage.deliver.greeter', body: 'not json' }]);
  });

  it('outputs that cannot be stored fail the input: it is redelivered, and after max_deliver attempts it is dead-lettered with ORG_ERR_NATS_PUBLISH', async () => {
    let calls = 0;
    const big: ListenerSpec = {
      name: 'big',
      payload: Greeting,
      description: 'answers too much',
      handler: () => {
        calls++;
        return `<greetingresponse><message>${'x'.repeat(4_000)}</message></greetingresponse>`;
      },
    };
    const { org, errors, events } = await organismOnNats('toobig', [big], { maxDeliver: 2, maxMessageBytes: 2_000 });
    await org.send('big', '<greeting><name>World</name></greeting>');
    await until(() => events.length === 1, 'the dead letter');
    await org.whenIdle();
    expect(calls).toBe(2);
    expect(errors.map((e) => e.code)).toEqual(['ORG_ERR_NATS_PUBLISH', 'ORG_ERR_NATS_PUBLISH']);
    expect(events[0]).toMatchObject({ code: 'ORG_ERR_NATS_DEAD_LETTER', subject: 'organism.toobig.deliver.big' });
    await org.close();
    const dead = await deadLetters('toobig');
    expect(dead.map((d) => [d.code, d.subject])).toEqual([['ORG_ERR_NATS_PUBLISH', 'organism.toobig.deliver.big']]);
    expect(JSON.parse(dead[0]!.body)).toMatchObject({ delivery: { listener: 'big', respondTo: 'user' } });
  }, 20_000);

  it('a message whose worker went away before completing it is redelivered; past max_deliver deliveries it is dead-lettered, not run again', async () => {
    const Job = definePayload('Job', z.object({ id: z.string() }));
    let started = 0;
    const hang: ListenerSpec = {
      name: 'hang',
      payload: Job,
      description: 'never finishes',
      handler: () => {
        started++;
        return new Promise<never>(() => undefined);
      },
    };
    // The first process: it takes the message and goes away without acknowledging it.
    const first = await natsTransport({ servers: server.url, organism: 'crashy', listeners: ['hang'], ackWaitMs: 500, maxDeliver: 1 });
    const abandoned = createOrganism({ name: 'crashy', listeners: [hang], transport: first, xmlWorker: 'off', handlerTimeoutMs: Infinity });
    await first.consuming();
    await abandoned.send('hang', '<job><id>j1</id></job>');
    await until(() => started === 1, 'the first delivery');
    await first.close();
    const { org, events } = await organismOnNats('crashy', [hang], { ackWaitMs: 500, maxDeliver: 1 });
    await until(() => events.length === 1, 'the dead letter');
    expect(events[0]).toMatchObject({ code: 'ORG_ERR_NATS_DEAD_LETTER', subject: 'organism.crashy.deliver.hang' });
    expect(events[0]!.message).toMatch(/delivered 1 times \(max_deliver 1\) without being completed/);
    expect(started).toBe(1);
    await org.close();
    expect(await deadLetters('crashy')).toEqual([expect.objectContaining({ code: 'ORG_ERR_NATS_DEAD_LETTER', subject: 'organism.crashy.deliver.hang' })]);
    expect(await streamMessages('crashy')).toBe(1); // only the dead letter is left
  }, 20_000);

  it('an unreachable server is ORG_ERR_NATS_CONNECT, with what to do', async () => {
    const error = await natsTransport({ servers: 'nats://127.0.0.1:1', organism: 'nowhere' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ORG_ERR_NATS_CONNECT' });
    expect((error as Error).message).toMatch(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: .*start nats-server with -js/);
  });

  it('the egress host knows a thread is busy while another process works on it, and idle once the reply is in; only the worker announces on the activity subject', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow: ListenerSpec = { ...greeter, handler: async ({ name }: { name: string }) => (await gate, `<greetingresponse><message>Hello, ${name}!</message></greetingresponse>`) };
    const subjects = natsSubjects('activity');
    const heard: string[] = [];
    raw.subscribe(subjects.activity, { callback: (_error, msg) => heard.push(...new TextDecoder().decode(msg.data).split('\n')) });
    const front = await natsTransport({ servers: server.url, organism: 'activity', egress: true });
    const workerTransport = await natsTransport({ servers: server.url, organism: 'activity', listeners: ['greeter'] });
    const frontOrg = createOrganism({ name: 'activity', listeners: [slow], transport: front, xmlWorker: 'off' });
    const workerOrg = createOrganism({ name: 'activity', listeners: [slow], transport: workerTransport, xmlWorker: 'off' });
    await Promise.all([front.consuming(), workerTransport.consuming()]);
    const egress: EgressMessage[] = [];
    const idle: string[] = [];
    frontOrg.egress$.subscribe((m) => egress.push(m));
    front.threads.idle$.subscribe((t) => idle.push(t));

    const thread = await frontOrg.send('greeter', '<greeting><name>Ada</name></greeting>');
    expect(front.threads.isBusy(thread)).toBe(true); // at once: the front applies its own "+" itself
    await new Promise((resolve) => setTimeout(resolve, 300)); // the worker holds the call
    expect(front.threads.isBusy(thread)).toBe(true);
    expect(idle).toEqual([]);
    open();
    await until(() => idle.length > 0, 'the thread to go idle');
    expect(egress.map((m) => m.thread)).toEqual([thread]);
    expect(idle).toEqual([thread]);
    expect(front.threads.isBusy(thread)).toBe(false);
    // The worker's "+" for the reply and "-" for the delivery; none of the front's own lines.
    await until(() => heard.length >= 2, 'the worker\'s activity');
    expect(heard).toEqual([expect.stringMatching(new RegExp(`^\\+ ${thread} \\d+:0$`)), expect.stringMatching(new RegExp(`^- ${thread} [\\w-]{12}\\.1$`))]);
    await workerOrg.close();
    await frontOrg.close();
  });

  it('a worker busy with many messages announces every line, in messages of at most 512 lines, and every thread goes idle', async () => {
    const subjects = natsSubjects('manylines');
    const messages: string[][] = [];
    raw.subscribe(subjects.activity, { callback: (_error, msg) => messages.push(new TextDecoder().decode(msg.data).split('\n')) });
    const front = await natsTransport({ servers: server.url, organism: 'manylines', egress: true, maxAckPending: 400 });
    const workerTransport = await natsTransport({ servers: server.url, organism: 'manylines', listeners: ['greeter'], maxAckPending: 400 });
    const frontOrg = createOrganism({ name: 'manylines', listeners: [greeter], transport: front, xmlWorker: 'off' });
    const workerOrg = createOrganism({ name: 'manylines', listeners: [greeter], transport: workerTransport, xmlWorker: 'off' });
    await Promise.all([front.consuming(), workerTransport.consuming()]);
    const idle = new Set<string>();
    front.threads.idle$.subscribe((t) => idle.add(t));
    const threads: string[] = [];
    for (let i = 0; i < 400; i++) threads.push(await frontOrg.send('greeter', `<greeting><name>n${i}</name></greeting>`));
    await until(() => idle.size === 400, 'every thread to go idle');
    expect([...idle].sort()).toEqual([...threads].sort());
    await until(() => messages.flat().length === 800, 'the worker\'s 800 lines');
    expect(Math.max(...messages.map((m) => m.length))).toBeLessThanOrEqual(512);
    expect(messages.length).toBeLessThan(400); // batched: far fewer messages than lines
    for (const thread of threads) expect(messages.flat().filter((line) => line.includes(` ${thread} `))).toHaveLength(2);
    expect(threads.some((t) => front.threads.isBusy(t))).toBe(false);
    await workerOrg.close();
    await frontOrg.close();
  });
});
