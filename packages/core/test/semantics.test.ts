import { describe, it, expect, jest } from '@jest/globals';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { z } from 'zod';
import {
  createOrganism,
  definePayload,
  halt,
  loadOrganism,
  respond,
  type EgressMessage,
  type Huh,
  type ListenerSpec,
  type Organism,
  type OrganismErrorEvent,
  type RoutedMessage,
} from '../src/index.js';

jest.setTimeout(15_000);

const Note = definePayload('Note', z.object({ text: z.string() }));
const Count = definePayload('Count', z.object({ n: z.number().int() }));
const Job = definePayload('Job', z.object({ n: z.number().int() }));
const Ask = definePayload('Ask', z.object({ text: z.string() }));

function watch(org: Organism) {
  const messages: RoutedMessage[] = [];
  const errors: OrganismErrorEvent[] = [];
  const egress: EgressMessage[] = [];
  org.messages$.subscribe((m) => messages.push(m));
  org.errors$.subscribe((e) => errors.push(e));
  org.egress$.subscribe((m) => egress.push(m));
  return { messages, errors, egress };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const note = (text: string) => `<note><text>${text}</text></note>`;

describe('threads and call chains', () => {
  it('the researcher calls two peers in parallel, gets both results on its thread and responds to its caller', async () => {
    const org = await loadOrganism('organism.yaml');
    const { messages, egress, errors } = watch(org);
    const thread = await org.send('researcher', '<question><a>6</a><b>7</b></question>');
    await org.whenIdle();
    await org.close();
    expect(errors).toEqual([]);
    const hops = messages.filter((m) => m.thread === thread).map((m) => `${m.from}->${m.listener}:${m.tag}`);
    expect(hops).toEqual(
      expect.arrayContaining([
        'user->researcher:question',
        'researcher->calculator.add:calculator.add.addpayload',
        'researcher->calculator.multiply:calculator.multiply.multiplypayload',
        'calculator.add->researcher:calcresult',
        'calculator.multiply->researcher:calcresult',
      ]),
    );
    expect(hops).toHaveLength(5);
    // respond() from the researcher's last call (from calculator.*) reached the original caller
    expect(egress).toHaveLength(1);
    expect(egress[0]).toMatchObject({ from: 'researcher', to: 'user', thread, tag: 'answer' });
    expect(egress[0]!.payload).toContain('<sum>13</sum><product>42</product>');
  });

  it('respond() walks back up a three-level chain one hop at a time', async () => {
    const Result = definePayload('Result', z.object({ text: z.string() }));
    const order: string[] = [];
    const org = createOrganism({
      listeners: [
        { name: 'top', payload: [Ask, Result], description: 'asks middle', handler: (_v, ctx) => {
          order.push(`top<-${ctx.from}`);
          return ctx.type === 'Ask' ? '<middle.note><text>q</text></middle.note>' : respond('<done><text>top</text></done>');
        } },
        { name: 'middle', payload: [Note, Result], description: 'asks leaf', handler: (_v, ctx) => {
          order.push(`middle<-${ctx.from}`);
          return ctx.type === 'Note' ? '<leaf.count><n>1</n></leaf.count>' : respond(Result.of({ text: 'from middle' }));
        } },
        { name: 'leaf', payload: Count, description: 'answers', handler: (_v, ctx) => {
          order.push(`leaf<-${ctx.from}`);
          // <result> has two acceptors; respond() sends it to the previous hop (middle), not by tag
          return respond(Result.of({ text: 'from leaf' }));
        } },
      ],
    });
    const w = watch(org);
    const thread = await org.send('top', '<ask><text>go</text></ask>');
    await org.whenIdle();
    await org.close();
    expect(w.errors).toEqual([]);
    expect(order).toEqual(['top<-user', 'middle<-top', 'leaf<-middle', 'middle<-leaf', 'top<-middle']);
    expect(w.egress).toEqual([expect.objectContaining({ from: 'top', to: 'user', thread, tag: 'done' })]);
  });

  it('the XML forms <return> and <halt/> reply and end the thread', async () => {
    const org = createOrganism({
      listeners: [
        { name: 'llm', payload: Ask, description: 'an LLM-like listener', handler: ({ text }) =>
          text === 'stop'
            ? 'Done here. <halt>user asked to stop</halt>'
            : `Sure.\n<return><reply><text>${text}!</text></reply></return>\nAnything else?` },
        { name: 'echo', payload: Note, description: 'echo', handler: (v) => respond(Note.of(v as { text: string })) },
      ],
    });
    const w = watch(org);
    const t1 = await org.send('llm', '<ask><text>hi</text></ask>');
    await org.whenIdle();
    expect(w.egress).toEqual([expect.objectContaining({ from: 'llm', to: 'user', thread: t1, payload: '<reply><text>hi!</text></reply>' })]);
    await org.close();
  });

  it('after halt() nothing further is routed on the thread, while other threads go on', async () => {
    const gate = deferred();
    const org = createOrganism({
      listeners: [
        { name: 'boss', payload: Ask, description: 'ends the thread, then keeps talking', handler: async ({ text }) => {
          if (text === 'other') return respond(Note.of({ text: 'other thread fine' }));
          return [halt('enough'), '<worker.note><text>late</text></worker.note>'];
        } },
        { name: 'worker', payload: Note, description: 'should not run', handler: async () => gate.resolve() },
      ],
    });
    const w = watch(org);
    const thread = await org.send('boss', '<ask><text>go</text></ask>');
    const other = await org.send('boss', '<ask><text>other</text></ask>');
    await org.whenIdle();
    await org.close();
    expect(w.messages.filter((m) => m.listener === 'worker')).toEqual([]);
    expect(w.errors).toEqual([expect.objectContaining({ code: 'ORG_ERR_THREAD_HALTED', thread })]);
    expect(w.errors[0]!.message).toContain('enough');
    expect(w.egress).toEqual([expect.objectContaining({ thread: other, payload: '<note><text>other thread fine</text></note>' })]);
  });

  it('finished threads are released: the registry does not grow with threads ever seen', async () => {
    const org = await loadOrganism('organism.yaml');
    let peak = 0;
    org.messages$.subscribe(() => (peak = Math.max(peak, org.stats().threads)));
    for (let i = 0; i < 300; i++) await org.send('researcher', `<question><a>${i}</a><b>2</b></question>`);
    await org.whenIdle();
    expect(org.stats().threads).toBe(0);
    expect(peak).toBeGreaterThan(0);
    await org.close();
  });
});

describe('agents and peers', () => {
  const peerWorld = (onHuh: (huh: Huh) => void, emit: string) =>
    createOrganism({
      listeners: [
        { name: 'agent', agent: true, peers: ['friend'], payload: Ask, description: 'an agent', handler: () => emit, onHuh },
        { name: 'friend', payload: Note, description: 'a peer', handler: jest.fn<() => undefined>() },
        { name: 'stranger', payload: Count, description: 'not a peer', handler: jest.fn<() => undefined>() },
      ],
    });

  async function huhFor(emit: string) {
    const huhs: Huh[] = [];
    const org = peerWorld((h) => void huhs.push(h), emit);
    const w = watch(org);
    await org.send('agent', '<ask><text>x</text></ask>');
    await org.whenIdle();
    await org.close();
    return { huhs, ...w };
  }

  it('a message to a listener outside its peers is not delivered: the agent gets a huh and errors$ names both', async () => {
    const { huhs, errors, messages } = await huhFor('<stranger.count><n>1</n></stranger.count>');
    expect(messages.filter((m) => m.listener === 'stranger')).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ code: 'ORG_ERR_PEER_VIOLATION', from: 'agent' })]);
    expect(errors[0]!.message).toContain('"agent"');
    expect(errors[0]!.message).toContain('"stranger"');
    expect(huhs).toHaveLength(1);
  });

  it('the huh for "not allowed" is identical to the one for "does not exist" (no topology probing)', async () => {
    const notAllowed = (await huhFor('<stranger.count><n>1</n></stranger.count>')).huhs[0]!;
    const missing = (await huhFor('<nobody.count><n>1</n></nobody.count>')).huhs[0]!;
    expect(notAllowed.code).toBe('ORG_ERR_ROUTE_UNKNOWN');
    expect(missing.code).toBe(notAllowed.code);
    expect(missing.message).toBe(notAllowed.message);
    expect(notAllowed.message).not.toContain('stranger');
  });

  it('a payload for a declared peer that breaks its schema gets field-exact feedback', async () => {
    const { huhs, errors } = await huhFor('<friend.note><txt>typo</txt></friend.note>');
    expect(errors[0]!.code).toBe('ORG_ERR_PAYLOAD_INVALID');
    expect(huhs[0]!.code).toBe('ORG_ERR_PAYLOAD_INVALID');
    expect(huhs[0]!.message).toContain("'txt'");
    expect(huhs[0]!.message).toContain('text');
    expect(huhs[0]!.attempt).toContain('typo');
  });

  it('agents see their own name; other listeners do not', async () => {
    const seen: (string | undefined)[] = [];
    const org = createOrganism({
      listeners: [
        { name: 'agent', agent: true, payload: Ask, description: 'a', handler: (_v, ctx) => void seen.push(ctx.self) },
        { name: 'tool', payload: Note, description: 't', handler: (_v, ctx) => void seen.push(ctx.self) },
      ],
    });
    await org.send('agent', '<ask><text>x</text></ask>');
    await org.send('tool', note('x'));
    await org.whenIdle();
    await org.close();
    expect(seen.sort()).toEqual(['agent', undefined]);
  });

  it('registration fails when an agent shares a payload type with another listener', () => {
    expect(() =>
      createOrganism({
        listeners: [
          { name: 'agent', agent: true, payload: Note, description: 'a', handler: () => undefined },
          { name: 'tool', payload: Note, description: 't', handler: () => undefined },
        ],
      }),
    ).toThrow(/agent payload type "note" is also accepted by "tool"/);
  });

  it('an agent gets a tool prompt with exactly its peers', async () => {
    const org = await loadOrganism('organism.yaml');
    const prompt = org.toolPrompt('researcher');
    await org.close();
    expect(prompt).toContain('calculator.add.addpayload');
    expect(prompt).toContain('calculator.multiply.multiplypayload');
    expect(prompt).not.toContain('greeter');
    expect(prompt).toContain('<return>');
  });
});

describe('budgets and loop guards', () => {
  it('a self-addressing agent that never stops is stopped by the hop budget; other threads are unaffected', async () => {
    let calls = 0;
    const org = createOrganism({
      budgets: { maxHops: 10 },
      listeners: [
        { name: 'looper', agent: true, payload: Count, description: 'loops forever', handler: ({ n }) => {
          calls++;
          return `<looper.count><n>${n + 1}</n></looper.count>`;
        } },
        { name: 'greeter', payload: Note, description: 'unaffected', handler: (v) => respond(Note.of(v as { text: string })) },
      ],
    });
    const w = watch(org);
    const thread = await org.send('looper', '<count><n>0</n></count>');
    const other = await org.send('greeter', note('still here'));
    await org.whenIdle();
    await org.close();
    expect(w.errors).toEqual([expect.objectContaining({ code: 'ORG_ERR_BUDGET_HOPS', thread, listener: 'looper' })]);
    expect(calls).toBe(10);
    expect(w.egress.find((m) => m.thread === other)?.payload).toContain('still here');
  });

  it('the repeat guard stops the same payload reaching the same listener too often', async () => {
    const org = createOrganism({
      budgets: { maxRepeats: 3 },
      listeners: [{ name: 'parrot', agent: true, payload: Count, description: 'repeats itself', handler: () => '<parrot.count><n>7</n></parrot.count>' }],
    });
    const w = watch(org);
    await org.send('parrot', '<count><n>7</n></count>');
    await org.whenIdle();
    await org.close();
    expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_REPEAT']);
    // the user's <count> and three identical <parrot.count> (the root tag is part of the payload)
    expect(w.messages.map((m) => m.tag)).toEqual(['count', 'parrot.count', 'parrot.count', 'parrot.count']);
  });

  it('the message budget ends a thread that fans out too much', async () => {
    const org = createOrganism({
      budgets: { maxMessages: 4 },
      listeners: [
        { name: 'spray', payload: Ask, description: 'fans out', handler: () => Array.from({ length: 6 }, (_, i) => Count.of({ n: i })) },
        { name: 'sink', payload: Count, description: 'absorbs', handler: () => undefined },
      ],
    });
    const w = watch(org);
    await org.send('spray', '<ask><text>x</text></ask>');
    await org.whenIdle();
    await org.close();
    // the 5th delivery ends the thread; the two after it are reported, not routed
    expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_BUDGET_MESSAGES', 'ORG_ERR_THREAD_HALTED', 'ORG_ERR_THREAD_HALTED']);
    expect(w.messages.filter((m) => m.listener === 'sink')).toHaveLength(3);
  });

  it('a handler past handler_timeout_ms is aborted through its signal and reported; the caller gets a huh', async () => {
    let aborted: unknown;
    const org = createOrganism({
      handlerTimeoutMs: 50,
      listeners: [{ name: 'slow', payload: Note, description: 'never ends', handler: (_v, ctx) =>
        new Promise<undefined>((resolve) => ctx.signal.addEventListener('abort', () => { aborted = ctx.signal.reason; resolve(undefined); })) }],
    });
    const w = watch(org);
    await org.send('slow', note('x'));
    await org.whenIdle();
    await org.close();
    expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_HANDLER_TIMEOUT']);
    expect((aborted as { code?: string }).code).toBe('ORG_ERR_HANDLER_TIMEOUT');
    expect(w.egress).toEqual([expect.objectContaining({ tag: 'huh', to: 'user' })]);
    expect(w.egress[0]!.payload).toContain('ORG_ERR_HANDLER_TIMEOUT');
  });
});

describe('scheduling', () => {
  async function order(threadScheduling: 'breadth-first' | 'depth-first'): Promise<string[]> {
    const gate = deferred();
    const ran: string[] = [];
    const org = createOrganism({
      threadScheduling,
      maxConcurrentHandlers: 1,
      listeners: [
        { name: 'block', payload: Note, description: 'holds the only slot', handler: () => gate.promise.then(() => undefined) },
        { name: 'work', payload: Job, description: 'records order', handler: ({ n }, ctx) => void ran.push(`${ctx.thread.slice(0, 1)}${n}`) },
      ],
    });
    await org.send('block', note('hold'));
    const a = 'a0000000-0000-4000-8000-000000000000';
    const b = 'b0000000-0000-4000-8000-000000000000';
    for (let n = 1; n <= 3; n++) await org.send('work', `<job><n>${n}</n></job>`, { thread: a });
    for (let n = 1; n <= 3; n++) await org.send('work', `<job><n>${n}</n></job>`, { thread: b });
    gate.resolve();
    await org.whenIdle();
    await org.close();
    return ran;
  }

  it('breadth-first serves threads in turn, so a busy thread cannot starve another', async () => {
    expect(await order('breadth-first')).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
  });

  it('depth-first continues the newest work first', async () => {
    expect(await order('depth-first')).toEqual(['b3', 'b2', 'b1', 'a3', 'a2', 'a1']);
  });
});

describe('backpressure', () => {
  it('a flood of 200,000 injections keeps queued work and memory bounded', async () => {
    const gate = deferred();
    const org = createOrganism({
      maxQueued: 1000,
      whenFull: 'reject',
      maxConcurrentHandlers: 10,
      listeners: [{ name: 'slow', payload: Note, description: 'slow', handler: () => gate.promise.then(() => undefined) }],
    });
    const envelope = (i: number) =>
      `<message xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta><from>user</from><to>slow</to><thread>t</thread></meta><note xmlns=""><text>${i}</text></note></message>`;
    // Measure the live heap, not garbage: npm test runs node with --expose-gc; this works without it too.
    v8.setFlagsFromString('--expose-gc');
    const gc = ((globalThis as { gc?: () => void }).gc ?? runInNewContext('gc')) as () => void;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let accepted = 0;
    let busy = 0;
    let maxQueued = 0;
    try {
      for (let i = 0; i < 200_000; i++) {
        try {
          await org.inject(envelope(i));
          accepted++;
        } catch (error) {
          expect((error as { code?: string }).code).toBe('ORG_ERR_BUSY');
          busy++;
        }
        if (i % 1000 === 0) maxQueued = Math.max(maxQueued, org.stats().queued);
      }
      gc();
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      expect(accepted + busy).toBe(200_000);
      expect(accepted).toBeLessThanOrEqual(1000 + 10);
      expect(maxQueued).toBeLessThanOrEqual(1000);
      // 1,000 queued messages and 10 running calls: a few MB; without a bound it would be hundreds
      expect(heapGrowth).toBeLessThan(64 * 1024 * 1024);
    } finally {
      gate.resolve();
      await org.whenIdle();
      await org.close();
    }
    expect(org.stats().errors).toBe(0);
  }, 120_000);
});

describe('introspection', () => {
  const META = 'https://xml-pipeline.org/ns/meta/v1';

  it('answers list-capabilities and request-schema from the organism itself', async () => {
    const org = await loadOrganism('organism.yaml');
    const w = watch(org);
    const thread = await org.send('organism', `<list-capabilities xmlns="${META}"/>`);
    await org.send('organism', `<request-schema xmlns="${META}"><listener>greeter</listener></request-schema>`);
    await org.whenIdle();
    await org.close();
    const capabilities = w.egress.find((m) => m.tag === 'capabilities')!;
    expect(capabilities).toMatchObject({ from: 'organism', to: 'user', thread });
    expect(capabilities.payload).toContain('<root-tag>greeter.greeting</root-tag>');
    expect(capabilities.payload).toContain('name="researcher"');
    const schema = w.egress.find((m) => m.tag === 'schema')!;
    expect(schema.payload).toContain('xs:schema');
    expect(schema.payload).toContain('greeter.greeting');
  });

  it('refuses a request its meta flags do not allow, with a coded huh', async () => {
    const org = createOrganism({
      meta: { requestSchema: false },
      listeners: [{ name: 'tool', payload: Note, description: 't', handler: () => undefined }],
    });
    const w = watch(org);
    await org.send('organism', `<request-schema xmlns="${META}"><listener>tool</listener></request-schema>`);
    await org.whenIdle();
    await org.close();
    expect(w.errors.map((e) => e.code)).toEqual(['ORG_ERR_META_REFUSED']);
    expect(w.egress).toEqual([expect.objectContaining({ tag: 'huh', to: 'user' })]);
    expect(w.egress[0]!.payload).toContain('ORG_ERR_META_REFUSED');
  });

  it('an agent asking sees only its peers, delivered to its onMeta', async () => {
    const answers: string[] = [];
    const org = createOrganism({
      listeners: [
        { name: 'agent', agent: true, peers: ['friend'], payload: Ask, description: 'a',
          handler: () => `<list-capabilities xmlns="${META}"/>`, onMeta: (xml) => void answers.push(xml) },
        { name: 'friend', payload: Note, description: 'a peer', handler: () => undefined },
        { name: 'secret', payload: Count, description: 'hidden', handler: () => undefined },
      ],
    });
    await org.send('agent', '<ask><text>x</text></ask>');
    await org.whenIdle();
    await org.close();
    expect(answers).toHaveLength(1);
    expect(answers[0]).toContain('name="friend"');
    expect(answers[0]).not.toContain('secret');
  });
});
