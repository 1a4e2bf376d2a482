import { afterAll, describe, it, expect } from '@jest/globals';
import { z } from 'zod';
import { definePayload } from '../src/index.js';
import { JobScheduler, type ThreadScheduling } from '../src/scheduler.js';
import type { Job } from '../src/steps/dispatch.js';
import type { Listener } from '../src/listener.js';
import { listener } from './support/contracts.js';
import { callOf, stepWorld } from './support/steps.js';

const world = stepWorld(
  ['Item', 'Other', 'Third'].map((type, i) => listener(['a', 'b', 'c'][i]!, definePayload(type, z.object({ n: z.number() })))),
);
afterAll(() => world.dispose());
const listeners = world.listeners as ReadonlyMap<string, Listener>;

/** A job named `${thread}${n}` for listener `key` (default a) on `thread`. */
function job(thread: string, n: number, key = 'a'): Job {
  return { call: callOf(listeners.get(key)!, { thread }), value: `${thread}${n}` };
}

const name = (j: Job | undefined) => (j === undefined ? undefined : (j.value as string));
const always = () => true;

function drain(scheduler: Pick<JobScheduler, 'take'>, canRun: (key: string) => boolean = always): string[] {
  const out: string[] = [];
  for (let j = scheduler.take(canRun); j; j = scheduler.take(canRun)) out.push(name(j)!);
  return out;
}

/**
 * The policy as it was first written (an array ring with a cursor index, `shift`/`splice`): the
 * reference the scheduler must agree with, call for call.
 */
class ReferenceScheduler {
  private readonly byThread = new Map<string, Job[]>();
  private ring: string[] = [];
  private cursor = 0;
  private readonly stack: Job[] = [];
  size = 0;
  constructor(private readonly policy: ThreadScheduling) {}
  push(job: Job): void {
    this.size++;
    if (this.policy === 'depth-first') {
      this.stack.push(job);
      return;
    }
    let queue = this.byThread.get(job.call.thread);
    if (!queue) {
      queue = [];
      this.byThread.set(job.call.thread, queue);
      this.ring.push(job.call.thread);
    }
    queue.push(job);
  }
  take(canRun: (key: string) => boolean): Job | undefined {
    if (this.policy === 'depth-first') {
      for (let i = this.stack.length - 1, seen = 0; i >= 0 && seen < 64; i--, seen++) {
        if (canRun(this.stack[i]!.call.listener.key)) {
          this.size--;
          return this.stack.splice(i, 1)[0];
        }
      }
      return undefined;
    }
    const n = this.ring.length;
    for (let step = 0; step < n; step++) {
      const index = (this.cursor + step) % n;
      const thread = this.ring[index]!;
      const queue = this.byThread.get(thread)!;
      for (let i = 0; i < Math.min(queue.length, 64); i++) {
        if (!canRun(queue[i]!.call.listener.key)) continue;
        const job = queue.splice(i, 1)[0]!;
        this.size--;
        if (queue.length === 0) {
          this.byThread.delete(thread);
          this.ring.splice(index, 1);
          this.cursor = this.ring.length === 0 ? 0 : index % this.ring.length;
        } else {
          this.cursor = (index + 1) % n;
        }
        return job;
      }
    }
    return undefined;
  }
}

/** A small deterministic PRNG, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('JobScheduler: breadth-first', () => {
  it('serves threads round robin in order of arrival, oldest call first within a thread', () => {
    const s = new JobScheduler('breadth-first');
    for (const j of [job('a', 1), job('a', 2), job('a', 3), job('b', 1), job('c', 1), job('c', 2)]) s.push(j);
    expect(s.size).toBe(6);
    expect(drain(s)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
    expect(s.size).toBe(0);
  });

  it('places a thread that arrives mid-turn at the end of the arrival order, not behind the thread just served', () => {
    const s = new JobScheduler('breadth-first');
    for (const j of [job('a', 1), job('a', 2), job('b', 1), job('b', 2), job('c', 1), job('c', 2)]) s.push(j);
    expect(name(s.take(always))).toBe('a1');
    s.push(job('d', 1));
    expect(drain(s)).toEqual(['b1', 'c1', 'd1', 'a2', 'b2', 'c2']);
  });

  it('skips a call whose listener has no free permit (no head-of-line blocking), within a thread and across threads', () => {
    const s = new JobScheduler('breadth-first');
    s.push(job('x', 1, 'a'));
    s.push(job('x', 2, 'b'));
    s.push(job('y', 1, 'a'));
    s.push(job('z', 1, 'c'));
    const notA = (key: string) => key !== 'a';
    expect(name(s.take(notA))).toBe('x2');
    // the turn moved on to y, whose only call is blocked: z runs
    expect(name(s.take(notA))).toBe('z1');
    expect(s.take(notA)).toBeUndefined();
    expect(s.size).toBe(2);
    expect(drain(s)).toEqual(['x1', 'y1']);
  });

  it('looks at most 64 calls into a thread', () => {
    const s = new JobScheduler('breadth-first');
    for (let i = 0; i < 64; i++) s.push(job('x', i, 'a'));
    s.push(job('x', 64, 'b'));
    expect(s.take((key) => key === 'b')).toBeUndefined();
    s.take(always);
    expect(name(s.take((key) => key === 'b'))).toBe('x64');
  });

  it('asks about each listener at most once per take when nothing can run, however many threads wait', () => {
    const s = new JobScheduler('breadth-first');
    for (let t = 0; t < 10_000; t++) s.push(job(`t${t}-`, 0, t % 2 === 0 ? 'a' : 'b'));
    const asked: string[] = [];
    expect(
      s.take((key) => {
        asked.push(key);
        return false;
      }),
    ).toBeUndefined();
    expect(asked.sort()).toEqual(['a', 'b']);
    expect(s.size).toBe(10_000);
  });

  it('serves 10,000 single-call threads in arrival order', () => {
    const s = new JobScheduler('breadth-first');
    const expected: string[] = [];
    for (let t = 0; t < 10_000; t++) {
      s.push(job(`t${t}-`, 0));
      expected.push(`t${t}-0`);
    }
    // interleave: take one, push one more thread, as the pump does when a call settles
    const out: string[] = [];
    for (let t = 10_000; t < 12_000; t++) {
      out.push(name(s.take(always))!);
      s.push(job(`t${t}-`, 0));
      expected.push(`t${t}-0`);
    }
    out.push(...drain(s));
    expect(out).toEqual(expected);
  });

  it('keeps a long thread queue in order across compactions', () => {
    const s = new JobScheduler('breadth-first');
    for (let i = 0; i < 5_000; i++) s.push(job('long', i));
    const out = drain(s);
    expect(out).toHaveLength(5_000);
    expect(out.every((n, i) => n === `long${i}`)).toBe(true);
  });
});

describe('JobScheduler: depth-first', () => {
  it('takes the newest runnable call first', () => {
    const s = new JobScheduler('depth-first');
    for (const j of [job('a', 1), job('b', 1, 'b'), job('a', 2), job('b', 2, 'b')]) s.push(j);
    expect(name(s.take((key) => key === 'a'))).toBe('a2');
    expect(drain(s)).toEqual(['b2', 'b1', 'a1']);
  });
});

describe('JobScheduler: agrees with the reference policy', () => {
  it.each<ThreadScheduling>(['breadth-first', 'depth-first'])('%s: random pushes and takes with random blocked listeners', (policy) => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed);
      const s = new JobScheduler(policy);
      const ref = new ReferenceScheduler(policy);
      const threads = 1 + Math.floor(next() * 30);
      let n = 0;
      const got: Array<string | number | undefined> = [];
      const want: Array<string | number | undefined> = [];
      for (let step = 0; step < 3_000; step++) {
        if (next() < 0.55) {
          const j = job(`t${Math.floor(next() * threads)}-`, n++, ['a', 'b', 'c'][Math.floor(next() * 3)]!);
          s.push(j);
          ref.push(j);
        } else {
          const blocked = new Set(['a', 'b', 'c'].filter(() => next() < 0.4));
          const canRun = (key: string) => !blocked.has(key);
          got.push(name(s.take(canRun)), s.size);
          want.push(name(ref.take(canRun)), ref.size);
        }
      }
      got.push(...drain(s));
      want.push(...drain(ref));
      expect({ seed, order: got }).toEqual({ seed, order: want });
    }
  });
});
