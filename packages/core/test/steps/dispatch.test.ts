import { z } from 'zod';
import { definePayload } from '../../src/index';
import { describe, it, expect, beforeAll, afterAll, jest } from '@jest/globals';
import { Observable, Subject, lastValueFrom, toArray, of } from 'rxjs';
import { createKeyedSemaphore, dispatch, sendTo, type HandlerContext, type HandlerOutput, type Job, type ListenerSpec } from '../../src/index';
import { Gate } from '../support/deferred';
import { GreetingResponse, Note, listener } from '../support/contracts';
import { callOf, stepWorld, type StepWorld } from '../support/steps';

/** Handlers are looked up through this, so each test can install its own behind a registered listener. */
const behaviour = new Map<string, ListenerSpec['handler']>();
const through = (name: string): ListenerSpec['handler'] => (payload, context) => behaviour.get(name)!(payload, context);

// A handler a test forgot to release fails fast instead of hanging for the default 30 s.
jest.setTimeout(5000);

const AgentNote = definePayload('AgentNote', z.object({ text: z.string() }));

let world: StepWorld;
beforeAll(() => {
  world = stepWorld([
    listener('a', Note, { handler: through('a') }),
    listener('b', Note, { handler: through('b') }),
    // an agent's payload types are its own (unique root tags)
    listener('agent', AgentNote, { handler: through('agent'), agent: true }),
  ]);
});
afterAll(() => world.dispose());

const job = (name: string, value: unknown = { text: name }): Job => ({ call: callOf(world.listeners.get(name)!), value });

function run(jobs: Job[], options: { global?: number; perListener?: number; signal?: AbortSignal; onSettled?: (call: Job['call']) => void } = {}) {
  const perListener = createKeyedSemaphore(options.perListener ?? 100);
  const outputs = lastValueFrom(
    of(...jobs).pipe(
      dispatch({
        maxConcurrentHandlers: options.global ?? 100,
        perListener,
        signal: options.signal ?? new AbortController().signal,
        ...(options.onSettled ? { onSettled: options.onSettled } : {}),
      }),
      toArray(),
    ),
  );
  return { outputs, perListener };
}

const kinds = (outputs: HandlerOutput[]) => outputs.map((o) => (o.kind === 'error' ? `error:${o.error.code}` : o.kind));

describe('dispatch: concurrency', () => {
  it.each([1, 2])('runs at most %i handler(s) at once and starts the next as one finishes', async (limit) => {
    const gate = new Gate();
    behaviour.set('a', async () => {
      await gate.enter();
      return '<note><text>done</text></note>';
    });
    const { outputs } = run([job('a'), job('a'), job('a'), job('a'), job('a')], { global: limit });
    for (let done = 0; done < 5; done++) {
      await gate.whenEntered(Math.min(5, done + limit));
      expect(gate.inFlight).toBe(Math.min(limit, 5 - done));
      gate.releaseOne();
    }
    expect(kinds(await outputs)).toEqual(Array(5).fill(['xml', 'end']).flat());
    expect(gate.max).toBe(limit);
  });

  it('bounds each listener through the keyed semaphore while other listeners keep running', async () => {
    const gateA = new Gate();
    const gateB = new Gate();
    behaviour.set('a', () => gateA.enter());
    behaviour.set('b', () => gateB.enter());
    const { outputs, perListener } = run([job('a'), job('a'), job('a'), job('b'), job('b')], { global: 10, perListener: 1 });
    await gateA.whenEntered(1);
    await gateB.whenEntered(1);
    expect(perListener.inUse('a')).toBe(1);
    for (let i = 0; i < 3; i++) {
      await gateA.whenEntered(i + 1);
      gateA.releaseOne();
    }
    for (let i = 0; i < 2; i++) {
      await gateB.whenEntered(i + 1);
      gateB.releaseOne();
    }
    await outputs;
    expect(gateA.max).toBe(1);
    expect(gateB.max).toBe(1);
    expect(gateA.entered + gateB.entered).toBe(5);
    expect(perListener.size).toBe(0);
  });
});

describe('dispatch: handler results', () => {
  it('turns every kind of result into outputs that end with an end marker', async () => {
    const stream = async function* () {
      yield '<note><te';
      yield 'xt>x</text></note>';
    };
    const results: Record<string, unknown> = {
      text: '<note><text>raw</text></note>',
      typed: GreetingResponse.of({ message: 'hi' }),
      many: ['<note><text>1</text></note>', Note.of({ text: '2' }), sendTo('user', '<note><text>3</text></note>')],
      addressed: sendTo('b', Note.of({ text: 'to b' })),
      nothing: undefined,
      iterable: stream(),
      observable: of('<note>', '<text>o</text></note>'),
    };
    const observed: Record<string, string[]> = {};
    for (const [name, result] of Object.entries(results)) {
      behaviour.set('a', async () => result as never);
      const outputs = await run([job('a')]).outputs;
      observed[name] = outputs.map((o) => (o.kind === 'xml' || o.kind === 'typed' ? `${o.kind}${o.to ? `>${o.to}` : ''}` : o.kind === 'end' ? `end:${o.failed}` : o.kind));
    }
    expect(observed).toEqual({
      text: ['xml', 'end:false'],
      typed: ['typed', 'end:false'],
      many: ['xml', 'typed', 'xml>user', 'end:false'],
      addressed: ['typed>b', 'end:false'],
      nothing: ['end:false'],
      iterable: ['chunk', 'chunk', 'end:false'],
      observable: ['chunk', 'chunk', 'end:false'],
    });
  });

  it('reports unusable results as ORG_ERR_HANDLER_RESULT and throws as ORG_ERR_HANDLER_THREW, releasing the permit', async () => {
    const cases: Record<string, ListenerSpec['handler']> = {
      number: () => 42 as never,
      object: () => ({ nope: true }) as never,
      badChunk: () => of('<note>', 7 as never),
      throws: () => {
        throw new Error('boom');
      },
      rejects: async () => Promise.reject(new Error('later')),
      streamThrows: () =>
        new Observable<string>((subscriber) => {
          subscriber.next('<note><text>half');
          subscriber.error(new Error('cut off'));
        }),
    };
    const observed: Record<string, string[]> = {};
    for (const [name, handler] of Object.entries(cases)) {
      behaviour.set('a', handler);
      const { outputs, perListener } = run([job('a')], { perListener: 1 });
      const list = await outputs;
      observed[name] = [...kinds(list), `failed:${(list.at(-1) as { failed: boolean }).failed}`];
      expect(perListener.inUse('a')).toBe(0);
    }
    expect(observed).toEqual({
      number: ['error:ORG_ERR_HANDLER_RESULT', 'end', 'failed:false'],
      object: ['error:ORG_ERR_HANDLER_RESULT', 'end', 'failed:false'],
      badChunk: ['chunk', 'error:ORG_ERR_HANDLER_RESULT', 'end', 'failed:false'],
      throws: ['error:ORG_ERR_HANDLER_THREW', 'end', 'failed:true'],
      rejects: ['error:ORG_ERR_HANDLER_THREW', 'end', 'failed:true'],
      streamThrows: ['chunk', 'error:ORG_ERR_HANDLER_THREW', 'end', 'failed:true'],
    });
  });

  it('hands the handler its typed value and a context; only agents see their own name', async () => {
    const seen: Array<{ value: unknown; context: HandlerContext }> = [];
    const spy = jest.fn((value: unknown, context: HandlerContext) => {
      seen.push({ value, context });
    });
    behaviour.set('a', spy);
    behaviour.set('agent', spy);
    const controller = new AbortController();
    await run([job('a', { text: 'x' }), job('agent', { text: 'y' })], { signal: controller.signal }).outputs;
    expect(spy).toHaveBeenCalledTimes(2);
    const [plain, agent] = seen;
    expect(plain!.value).toEqual({ text: 'x' });
    expect(plain!.context).toMatchObject({ thread: expect.any(String), from: 'user', type: 'Note' });
    // each call has its own signal, tied to the organism's
    const signal = plain!.context.signal;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal.aborted).toBe(false);
    controller.abort(new Error('organism gone'));
    expect(signal.aborted).toBe(true);
    expect(plain!.context.self).toBeUndefined();
    expect(agent!.context.self).toBe('agent');
  });

  it('calls onSettled once per job after its permit is released', async () => {
    const settled: Array<{ id: number; inUse: number }> = [];
    behaviour.set('a', () => {
      throw new Error('boom');
    });
    behaviour.set('b', () => '<note><text>ok</text></note>');
    behaviour.set('agent', () => 42 as never);
    const jobs = [job('a'), job('b'), job('agent')];
    let semaphore: ReturnType<typeof createKeyedSemaphore> | undefined;
    const { outputs, perListener } = run(jobs, {
      perListener: 1,
      onSettled: (call) => settled.push({ id: call.id, inUse: semaphore!.inUse(call.listener.key) }),
    });
    semaphore = perListener;
    await outputs;
    expect(settled.map((s) => s.id).sort()).toEqual(jobs.map((j) => j.call.id).sort());
    expect(settled).toHaveLength(3);
    expect(settled.every((s) => s.inUse === 0)).toBe(true);
  });

  it('drops a call still waiting for its permit when the signal aborts, without running it', async () => {
    const gate = new Gate();
    const spy = jest.fn(() => gate.enter());
    behaviour.set('a', spy);
    const controller = new AbortController();
    const jobs = new Subject<Job>();
    const outputs = lastValueFrom(
      jobs.pipe(dispatch({ maxConcurrentHandlers: 5, perListener: createKeyedSemaphore(1), signal: controller.signal }), toArray()),
    );
    const first = job('a');
    const second = job('a');
    jobs.next(first);
    jobs.next(second);
    await gate.whenEntered(1);
    controller.abort(new Error('closing'));
    gate.releaseAll();
    jobs.complete();
    const ends = (await outputs).filter((o) => o.kind === 'end');
    expect(ends).toEqual([
      { kind: 'end', call: second.call, failed: true },
      { kind: 'end', call: first.call, failed: false },
    ]);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
