import { describe, it, expect } from '@jest/globals';
import { createKeyedSemaphore } from '../src/keyedSemaphore.js';

describe('createKeyedSemaphore', () => {
  it('grants up to the permit count per key and queues the rest in order', async () => {
    const sem = createKeyedSemaphore(2);
    const r1 = await sem.acquire('a');
    const r2 = await sem.acquire('a');
    const order: number[] = [];
    const p3 = sem.acquire('a').then((r) => (order.push(3), r));
    const p4 = sem.acquire('a').then((r) => (order.push(4), r));
    await Promise.resolve();
    expect(sem.inUse('a')).toBe(2);
    expect(order).toEqual([]);
    r1();
    const r3 = await p3;
    expect(order).toEqual([3]);
    r2();
    const r4 = await p4;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect(sem.inUse('a')).toBe(0);
  });

  it('keeps keys independent', async () => {
    const sem = createKeyedSemaphore(1);
    const a = await sem.acquire('a');
    const b = await sem.acquire('b');
    expect(sem.inUse('a')).toBe(1);
    expect(sem.inUse('b')).toBe(1);
    a();
    b();
  });

  it('deletes a key once it has no holders and no waiters', async () => {
    const sem = createKeyedSemaphore(1);
    const release = await sem.acquire('a');
    expect(sem.size).toBe(1);
    release();
    expect(sem.size).toBe(0);
  });

  it('a release function is idempotent', async () => {
    const sem = createKeyedSemaphore(1);
    const release = await sem.acquire('a');
    const waiting = sem.acquire('a');
    release();
    release();
    const next = await waiting;
    expect(sem.inUse('a')).toBe(1);
    next();
    expect(sem.inUse('a')).toBe(0);
  });

  it('removes a cancelled waiter and rejects it with the abort reason', async () => {
    const sem = createKeyedSemaphore(1);
    const release = await sem.acquire('a');
    const controller = new AbortController();
    const waiting = sem.acquire('a', controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    release();
    expect(sem.size).toBe(0);
  });

  it('rejects at once when the signal is already aborted and no permit is free', async () => {
    const sem = createKeyedSemaphore(1);
    const release = await sem.acquire('a');
    await expect(sem.acquire('a', AbortSignal.abort(new Error('late')))).rejects.toThrow('late');
    release();
  });

  it('hands permits to the waiters still waiting, in order, skipping those that gave up', async () => {
    const sem = createKeyedSemaphore(1);
    let release = await sem.acquire('a');
    const controllers = Array.from({ length: 3_000 }, () => new AbortController());
    const order: number[] = [];
    const waiting = controllers.map((c, i) =>
      sem.acquire('a', c.signal).then(
        (r) => (order.push(i), r),
        () => undefined,
      ),
    );
    // every third waiter gives up
    controllers.forEach((c, i) => i % 3 === 0 && c.abort(new Error('gone')));
    for (let i = 0; i < 3_000; i++) {
      if (i % 3 === 0) continue;
      release();
      release = (await waiting[i])!;
    }
    expect(order).toEqual(Array.from({ length: 3_000 }, (_, i) => i).filter((i) => i % 3 !== 0));
    release();
    expect(sem.inUse('a')).toBe(0);
    expect(sem.size).toBe(0);
  });

  it('forgets a key whose waiters all gave up once its holder releases', async () => {
    const sem = createKeyedSemaphore(1);
    const release = await sem.acquire('a');
    const controller = new AbortController();
    const waiters = [sem.acquire('a', controller.signal), sem.acquire('a', controller.signal)];
    controller.abort(new Error('closing'));
    await Promise.allSettled(waiters);
    expect(sem.size).toBe(1);
    release();
    expect(sem.size).toBe(0);
    expect(sem.tryAcquire('a')).toBeDefined();
  });

  it('refuses a permit count below 1', () => {
    expect(() => createKeyedSemaphore(0)).toThrow(RangeError);
  });
});
