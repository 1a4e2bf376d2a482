import { describe, it, expect, jest } from '@jest/globals';
import { z } from 'zod';
import { createOrganism, definePayload, isUuidV4, loadOrganism, sendTo, type HandlerContext } from '../src/index.js';
import { Alert, GREETING, greeter, HELLO_WORLD, Note, Ping, listener, handlerSpy } from './support/contracts.js';
import { envelopeXml } from './support/envelopes.js';
import { watch } from './support/organismWatch.js';

jest.setTimeout(5000);

describe('organism: delivering messages', () => {
  it('answers a greeting on egress to the sender, from the greeter, on the same thread', async () => {
    await using org = createOrganism({ listeners: [greeter] });
    const w = watch(org);
    const thread = await org.send('greeter', GREETING);
    await org.whenIdle();
    expect(isUuidV4(thread)).toBe(true);
    expect(w.messages).toEqual([
      { listener: 'greeter', from: 'user', to: 'greeter', thread, tag: 'greeting', payload: GREETING, value: { name: 'World' } },
    ]);
    expect(w.egress).toEqual([
      { from: 'greeter', to: 'user', thread, tag: 'greetingresponse', payload: HELLO_WORLD, envelope: expect.stringContaining(`<thread>${thread}</thread>`) },
    ]);
    expect(w.egress[0]!.envelope).toContain('<from>greeter</from><to>user</to>');
    expect(w.errors).toEqual([]);
  });

  it('hands handlers typed objects and serializes the typed payloads they return', async () => {
    const Add = definePayload('Add', z.object({ a: z.number(), b: z.number(), label: z.string().optional() }));
    const Sum = definePayload('Sum', z.object({ value: z.number(), parts: z.array(z.number()) }));
    const add = jest.fn(({ a, b }: { a: number; b: number }, _context: HandlerContext) => Sum.of({ value: a + b, parts: [a, b] }));
    await using org = createOrganism({ listeners: [{ name: 'adder', payload: Add, description: 'adds', handler: add }] });
    const w = watch(org);
    const thread = await org.send('adder', '<add><a>2.5</a><b>4</b></add>', { from: 'alice' });
    await org.whenIdle();
    expect(add).toHaveBeenCalledTimes(1);
    expect(add.mock.calls[0]![0]).toEqual({ a: 2.5, b: 4 });
    expect(add.mock.calls[0]![1]).toMatchObject({ thread, from: 'alice', type: 'Add' });
    expect(w.egress).toEqual([expect.objectContaining({ from: 'adder', to: 'alice', thread, payload: '<sum><value>6.5</value><parts>2.5</parts><parts>4</parts></sum>' })]);
  });

  it('fans raw XML with two payloads and chatter out to the two listeners that accept them', async () => {
    const notes = handlerSpy();
    const alarm = handlerSpy();
    await using org = createOrganism({
      listeners: [
        listener('planner', Ping, { handler: () => 'Here is my plan.\n<note><text>buy milk</text></note>\nand then <alert><level>2</level></alert> Done!' }),
        listener('notes', Note, { handler: notes }),
        listener('alarm', Alert, { handler: alarm }),
      ],
    });
    const w = watch(org);
    const thread = await org.send('planner', '<ping><n>1</n></ping>');
    await org.whenIdle();
    expect(notes).toHaveBeenCalledWith({ text: 'buy milk' }, expect.objectContaining({ from: 'planner', thread }));
    expect(alarm).toHaveBeenCalledWith({ level: 2 }, expect.objectContaining({ from: 'planner', thread }));
    expect(w.messages.map((m) => `${m.from}->${m.listener}:${m.tag}`)).toEqual(['user->planner:ping', 'planner->notes:note', 'planner->alarm:alert']);
    expect(w.errors).toEqual([]);
  });

  it('broadcasts a bare tag without <to> to every broadcast listener, and not to the others', async () => {
    const spies = [handlerSpy(), handlerSpy(), handlerSpy()];
    const quiet = handlerSpy();
    await using org = createOrganism({
      listeners: [
        ...spies.map((handler, i) => listener(`log${i}`, Alert, { broadcast: true, handler })),
        listener('quiet', Alert, { handler: quiet }),
      ],
    });
    const w = watch(org);
    await org.inject(envelopeXml({ from: 'monitor' }, '<alert><level>5</level></alert>'));
    await org.whenIdle();
    for (const spy of spies) expect(spy).toHaveBeenCalledWith({ level: 5 }, expect.objectContaining({ from: 'monitor' }));
    expect(quiet).not.toHaveBeenCalled();
    expect(w.messages.map((m) => m.listener)).toEqual(['log0', 'log1', 'log2']);
    expect(org.stats().routed).toBe(3);
  });

  it('delivers a sendTo() payload to the named recipient only, inside or outside the organism', async () => {
    const a = handlerSpy();
    const b = handlerSpy();
    await using org = createOrganism({
      listeners: [
        listener('router', Ping, { handler: () => [sendTo('notes.b', Note.of({ text: 'for b' })), sendTo('auditor', '<note><text>for the auditor</text></note>')] }),
        listener('notes.a', Note, { handler: a }),
        listener('notes.b', Note, { handler: b }),
      ],
      externals: ['auditor'],
    });
    const w = watch(org);
    const thread = await org.send('router', '<ping><n>1</n></ping>');
    await org.whenIdle();
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledWith({ text: 'for b' }, expect.objectContaining({ from: 'router', thread }));
    expect(w.egress).toEqual([expect.objectContaining({ from: 'router', to: 'auditor', thread, payload: '<note><text>for the auditor</text></note>' })]);
    expect(w.errors).toEqual([]);
  });

  it('routes replies back to a calling listener that accepts them: the demo researcher asks the calculator', async () => {
    await using org = await loadOrganism('organism.yaml');
    const w = watch(org);
    const thread = await org.send('researcher', '<question><a>6</a><b>7</b></question>');
    await org.whenIdle();
    expect(w.errors).toEqual([]);
    expect(w.egress).toEqual([expect.objectContaining({ from: 'researcher', to: 'user', thread, tag: 'answer' })]);
    expect(w.egress[0]!.payload).toMatch(/^<answer><sum>13<\/sum><product>42<\/product><text>/);
    const hops = w.messages.map((m) => `${m.from}->${m.listener}:${m.tag}`);
    expect(hops[0]).toBe('user->researcher:question');
    expect(hops).toEqual(
      expect.arrayContaining([
        'researcher->calculator.add:calculator.add.addpayload',
        'researcher->calculator.multiply:calculator.multiply.multiplypayload',
        'calculator.add->researcher:calcresult',
        'calculator.multiply->researcher:calcresult',
      ]),
    );
    expect(hops).toHaveLength(5);
    expect(w.messages.every((m) => m.thread === thread)).toBe(true);
    expect(w.messages.filter((m) => m.tag === 'calcresult').map((m) => m.value)).toEqual(
      expect.arrayContaining([{ operation: 'add', value: 13 }, { operation: 'multiply', value: 42 }]),
    );
  });
});
