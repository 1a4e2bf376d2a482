import { createHook } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import { ROOT_CONTEXT, createContextKey, type Context } from '@opentelemetry/api';
import { z } from 'zod';
import { definePayload } from '../../src/index.js';
import { describe, it, expect, beforeAll, afterAll, jest } from '@jest/globals';
import { Observable, Subject, lastValueFrom, toArray, of } from 'rxjs';
import { createKeyedSemaphore, dispatch, sendTo, type HandlerContext, type HandlerOutput, type Job, type ListenerSpec } from '../../src/index.js';
import { Gate, nextTurn } from '../support/deferred.js';
import { GreetingResponse, Note, listener } from '../support/contracts.js';
import { callOf, stepWorld, type StepWorld } from '../support/steps.js';

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

/**
 * Timers the dispatcher itself has armed and not yet fired or cleared (async_hooks, by the stack
 * that created them): unlike a count of every Timeout in the process, the test runner's own
 * timers do not show up in it.
 */
function dispatchTimers(): { live(): number; stop(): void } {
  const live = new Set<number>();
  const hook = createHook({
    init(id, type) {
      if (type === 'Timeout' && new Error().stack!.includes('steps/dispatch.ts')) live.add(id);
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return { live: () => live.size, stop: () => hook.disable() };
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

describe('dispatch: timeouts, teardown and ordering', () => {
  const timed = (jobs: Job[] | Subject<Job>, perListener = createKeyedSemaphore(1), extra: Partial<Parameters<typeof dispatch>[0]> = {}) =>
    (Array.isArray(jobs) ? of(...jobs) : jobs).pipe(
      dispatch({ maxConcurrentHandlers: 10, perListener, signal: new AbortController().signal, handlerTimeoutMs: 30, ...extra }),
    );

  it('reports a timeout once, aborts the call signal, ignores the late result and releases the permit', async () => {
    const late = new Subject<void>();
    let reason: unknown;
    behaviour.set('a', async (_v, ctx) => {
      ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason));
      await lastValueFrom(late, { defaultValue: undefined });
      return '<note><text>too late</text></note>';
    });
    const perListener = createKeyedSemaphore(1);
    const settled: Array<{ outcome: string }> = [];
    const list = await lastValueFrom(timed([job('a')], perListener, { onSettled: (_c, s) => settled.push(s) }).pipe(toArray()));
    expect(kinds(list)).toEqual(['error:ORG_ERR_HANDLER_TIMEOUT', 'end']);
    expect((list[0] as Extract<HandlerOutput, { kind: 'error' }>).error.message).toBe(
      'handler of "a" ran longer than 30 ms and was aborted; raise handler_timeout_ms or make it honour context.signal',
    );
    expect(list[1]).toMatchObject({ kind: 'end', failed: true });
    expect((reason as { code?: string }).code).toBe('ORG_ERR_HANDLER_TIMEOUT');
    expect(perListener.inUse('a')).toBe(0);
    expect(settled).toEqual([expect.objectContaining({ outcome: 'error' })]);
    late.complete(); // the handler's answer now arrives and goes nowhere
    await nextTurn();
  });

  it('stops forwarding a stream at the timeout and unsubscribes from it', async () => {
    let unsubscribed = false;
    const chunks = new Subject<string>();
    behaviour.set('a', () =>
      new Observable<string>((subscriber) => {
        const inner = chunks.subscribe(subscriber);
        return () => {
          unsubscribed = true;
          inner.unsubscribe();
        };
      }),
    );
    const outputs = lastValueFrom(timed([job('a')]).pipe(toArray()));
    await nextTurn();
    chunks.next('<note><text>');
    const list = await outputs;
    chunks.next('more'); // after the timeout: not forwarded
    expect(kinds(list)).toEqual(['chunk', 'error:ORG_ERR_HANDLER_TIMEOUT', 'end']);
    expect(unsubscribed).toBe(true);
  });

  it('sets no timer when handlerTimeoutMs is not finite, and clears it when the call ends in time', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const gate = new Gate();
    behaviour.set('a', async () => {
      await gate.enter();
      return '<note><text>in time</text></note>';
    });
    const before = timers();
    const infinite = lastValueFrom(timed([job('a')], createKeyedSemaphore(1), { handlerTimeoutMs: Infinity }).pipe(toArray()));
    await gate.whenEntered(1);
    expect(timers()).toBe(before);
    gate.releaseOne();
    expect(kinds(await infinite)).toEqual(['xml', 'end']);

    const finite = lastValueFrom(timed([job('a')], createKeyedSemaphore(1), { handlerTimeoutMs: 60_000 }).pipe(toArray()));
    await gate.whenEntered(2);
    expect(timers()).toBe(before + 1);
    gate.releaseOne();
    expect(kinds(await finite)).toEqual(['xml', 'end']);
    expect(timers()).toBe(before);
  });

  it('times each call out at its own deadline with one timer for all, including calls that began after an early end', async () => {
    const timers = dispatchTimers();
    const jobs = new Subject<Job>();
    const began = new Map<string, number>();
    const finish = new Map<string, () => void>();
    behaviour.set('a', (value) => {
      const { text } = value as { text: string };
      began.set(text, performance.now());
      // 'early' answers when told to; the others never answer and must time out.
      return new Promise<string>((resolve) => finish.set(text, () => resolve('<note><text>in time</text></note>')));
    });
    const timedOut = new Map<string, number>();
    const outputs = lastValueFrom(
      timed(jobs, createKeyedSemaphore(10), {
        handlerTimeoutMs: 80,
        onSettled: (_call, settled) => {
          if (settled.outcome === 'error') timedOut.set(String(timedOut.size), performance.now());
        },
      }).pipe(toArray()),
    );
    jobs.next(job('a', { text: 'early' }));
    expect(timers.live()).toBe(1); // one timer, whatever the number of calls
    await new Promise((resolve) => setTimeout(resolve, 20));
    jobs.next(job('a', { text: 'second' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    jobs.next(job('a', { text: 'third' }));
    expect(timers.live()).toBe(1);
    finish.get('early')!(); // the first deadline's call ends early: the others keep theirs
    jobs.complete();
    const list = await outputs;
    expect(kinds(list)).toEqual(['xml', 'end', 'error:ORG_ERR_HANDLER_TIMEOUT', 'end', 'error:ORG_ERR_HANDLER_TIMEOUT', 'end']);
    const [second, third] = [timedOut.get('0')!, timedOut.get('1')!];
    // Neither early (before its own 80 ms) nor both at the first deadline.
    expect(second - began.get('second')!).toBeGreaterThanOrEqual(79);
    expect(third - began.get('third')!).toBeGreaterThanOrEqual(79);
    expect(third - second).toBeGreaterThanOrEqual(10);
    await new Promise((resolve) => setImmediate(resolve)); // destroy hooks are reported asynchronously
    expect(timers.live()).toBe(0); // nothing left armed once no call runs
    timers.stop();
  });

  it('keeps one deadline timer when a timed-out call lets a waiting job begin', async () => {
    const timers = dispatchTimers();
    behaviour.set('a', () => new Promise<string>(() => undefined)); // never answers
    // One slot: each call times out and the next waiting job begins inside the deadline check.
    const outputs = lastValueFrom(timed([job('a'), job('a'), job('a')], createKeyedSemaphore(10), { maxConcurrentHandlers: 1, handlerTimeoutMs: 40 }).pipe(toArray()));
    await new Promise((resolve) => setTimeout(resolve, 60)); // the second call is running
    expect(timers.live()).toBe(1);
    const list = await outputs;
    expect(kinds(list)).toEqual(['error:ORG_ERR_HANDLER_TIMEOUT', 'end', 'error:ORG_ERR_HANDLER_TIMEOUT', 'end', 'error:ORG_ERR_HANDLER_TIMEOUT', 'end']);
    await new Promise((resolve) => setImmediate(resolve)); // destroy hooks are reported asynchronously
    expect(timers.live()).toBe(0);
    timers.stop();
  });

  it('on unsubscribe releases the permit, clears the timer, drops the abort listener, stops a stream and settles as cancelled', async () => {
    const controller = new AbortController();
    const perListener = createKeyedSemaphore(1);
    const settled: string[] = [];
    let streamStopped = false;
    behaviour.set('a', (_v, ctx) => {
      void ctx.signal; // the call's own signal listens to the organism's
      return new Observable<string>((subscriber) => {
        subscriber.next('<note>');
        return () => (streamStopped = true);
      });
    });
    const gate = new Gate();
    behaviour.set('b', () => gate.enter());
    const seen: HandlerOutput[] = [];
    const subscription = of(job('a'), job('b'), job('b'))
      .pipe(dispatch({ maxConcurrentHandlers: 10, perListener, signal: controller.signal, handlerTimeoutMs: 60_000, onSettled: (c, s) => settled.push(`${c.listener.name}:${s.outcome}`) }))
      .subscribe((o) => seen.push(o));
    await gate.whenEntered(1);
    expect(kinds(seen)).toEqual(['chunk']);
    expect(perListener.inUse('a')).toBe(1);
    expect(perListener.inUse('b')).toBe(1); // the second b call waits for this permit
    expect(getEventListeners(controller.signal, 'abort').length).toBeGreaterThan(0);
    subscription.unsubscribe();
    expect(streamStopped).toBe(true);
    expect(perListener.inUse('a')).toBe(0);
    // every job settles exactly once: the two that ran and the one still waiting for its permit
    expect(settled.sort()).toEqual(['a:cancelled', 'b:cancelled', 'b:cancelled']);
    // the b permit went to the waiting call, which gives it straight back as it is gone
    await nextTurn();
    expect(perListener.inUse('b')).toBe(0);
    expect(perListener.size).toBe(0);
    gate.releaseAll();
    await nextTurn();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(seen.filter((o) => o.kind === 'end')).toHaveLength(0);
  });

  it('emits each call’s outputs in order with its end marker last, and starts waiting jobs in arrival order', async () => {
    const started: number[] = [];
    behaviour.set('a', async (value) => {
      const n = (value as { n: number }).n;
      started.push(n);
      await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5));
      return n % 2 === 0 ? ['<note><text>1</text></note>', Note.of({ text: '2' }), sendTo('user', '<note><text>3</text></note>')] : undefined;
    });
    const jobs = Array.from({ length: 12 }, (_, n) => job('a', { n }));
    const list = await lastValueFrom(timed(jobs, createKeyedSemaphore(100), { maxConcurrentHandlers: 3, handlerTimeoutMs: 60_000 }).pipe(toArray()));
    expect(started).toEqual(jobs.map((_, n) => n));
    for (const [n, j] of jobs.entries()) {
      const mine = list.filter((o) => o.call === j.call).map((o) => (o.kind === 'end' ? `end:${o.failed}` : o.kind));
      expect(mine).toEqual(n % 2 === 0 ? ['xml', 'typed', 'xml', 'end:false'] : ['end:false']);
    }
  });

  it('keeps jobs beyond the bound in arrival order while more keep arriving', async () => {
    const gate = new Gate();
    const started: number[] = [];
    behaviour.set('a', async (value) => {
      started.push((value as { n: number }).n);
      await gate.enter();
    });
    const jobs = new Subject<Job>();
    const outputs = lastValueFrom(timed(jobs, createKeyedSemaphore(100), { maxConcurrentHandlers: 1, handlerTimeoutMs: 60_000 }).pipe(toArray()));
    let n = 0;
    for (; n < 20; n++) jobs.next(job('a', { n }));
    for (let released = 0; released < 10; released++) {
      await gate.whenEntered(released + 1);
      gate.releaseOne();
    }
    for (; n < 50; n++) jobs.next(job('a', { n }));
    jobs.complete();
    for (let released = 10; released < 50; released++) {
      await gate.whenEntered(released + 1);
      gate.releaseOne();
    }
    expect((await outputs).filter((o) => o.kind === 'end')).toHaveLength(50);
    expect(started).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(gate.max).toBe(1);
  });

  it('passes the parent trace context to onStarted when no tracing SDK records the span', async () => {
    const parent = ROOT_CONTEXT.setValue(createContextKey('test'), 'parent');
    const started: Context[] = [];
    behaviour.set('a', () => undefined);
    await lastValueFrom(timed([job('a')], createKeyedSemaphore(1), { traceParent: () => parent, onStarted: (_c, ctx) => started.push(ctx) }).pipe(toArray()));
    expect(started).toEqual([parent]);
  });
});

describe('dispatch: the handler context', () => {
  it('has the shape of a plain object literal: own enumerable keys in order, a signal that spreading copies', async () => {
    const seen: HandlerContext[] = [];
    behaviour.set('a', (_v, context) => void seen.push(context));
    behaviour.set('agent', (_v, context) => void seen.push(context));
    await run([job('a'), job('agent', { text: 'y' })]).outputs;
    const [plain, agent] = seen;
    expect(Object.keys(plain!)).toEqual(['thread', 'from', 'type', 'signal']);
    expect(Object.keys(agent!)).toEqual(['thread', 'from', 'type', 'signal', 'self']);
    expect('self' in plain!).toBe(false);
    const copy = { ...plain! };
    expect(copy.signal).toBeInstanceOf(AbortSignal);
    expect(copy.signal).toBe(plain!.signal); // one signal per call, created on first read
    expect(JSON.parse(JSON.stringify(agent))).toEqual({ thread: agent!.thread, from: 'user', type: 'AgentNote', signal: {}, self: 'agent' });
  });
});
