import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { buildEnvelope } from '@organism/xml';
import { SERVER_NS, parseServerFrame } from '../src/index.js';
import { readClientFrame } from '../src/readClientFrame.js';
import { acceptedFrame, errorFrame, idleFrame, welcomeFrame } from '../src/serverFrames.js';
import { TokenBucket } from '../src/tokenBucket.js';
import { StrikeCounter } from '../src/strikeCounter.js';
import { ThreadOwners } from '../src/threadOwners.js';
import { FrameQueue } from '../src/frameQueue.js';
import { createAuthenticator, tokenOf } from '../src/authenticate.js';
import { resolveConnectionLimits } from '../src/connectionLimits.js';

const rules = { isListener: (name: string) => ['greeter', 'calculator.add'].includes(name.toLowerCase()), limits: {} };
const THREAD = '3f1c2a4b-1d2e-4f3a-8b9c-0123456789ab';

describe('readClientFrame', () => {
  it('reads "@listener payload" as an addressed frame, also with leading and trailing whitespace', () => {
    expect(readClientFrame('  @Greeter <greeting><name>W</name></greeting>\n', rules)).toEqual({
      kind: 'addressed',
      to: 'Greeter',
      payload: '<greeting><name>W</name></greeting>',
    });
  });

  it('refuses an "@" frame without a payload, or addressed to a name that is no listener', () => {
    expect(() => readClientFrame('@greeter', rules)).toThrow(expect.objectContaining({ code: 'ORG_ERR_SERVER_FRAME' }));
    expect(() => readClientFrame('@client-2 <x/>', rules)).toThrow(expect.objectContaining({ code: 'ORG_ERR_SERVER_ADDRESS' }));
  });

  it('reads an envelope with its thread lower-cased and its <to>, passing the text on untouched', () => {
    const text = buildEnvelope({ from: 'anyone', to: 'calculator.add', thread: THREAD.toUpperCase() }, '<addpayload><a>1</a><b>2</b></addpayload>');
    expect(readClientFrame(text, rules)).toEqual({ kind: 'envelope', raw: text, thread: THREAD, to: 'calculator.add' });
  });

  it('refuses an envelope whose thread is not a UUID v4 or whose <to> is no listener', () => {
    const noUuid = buildEnvelope({ from: 'x', to: 'greeter', thread: 'thread-1' }, '<greeting/>');
    expect(() => readClientFrame(noUuid, rules)).toThrow(expect.objectContaining({ code: 'ORG_ERR_SERVER_FRAME', message: expect.stringContaining('UUID v4') }));
    const toClient = buildEnvelope({ from: 'x', to: 'client-7', thread: THREAD }, '<greeting/>');
    expect(() => readClientFrame(toClient, rules)).toThrow(expect.objectContaining({ code: 'ORG_ERR_SERVER_ADDRESS' }));
  });

  it('reads any other element as a bare payload and reports unreadable XML with the parser code', () => {
    expect(readClientFrame('<greeter.greeting><name>W</name></greeter.greeting>', rules)).toEqual({
      kind: 'payload',
      raw: '<greeter.greeting><name>W</name></greeter.greeting>',
    });
    expect(() => readClientFrame('just text', rules)).toThrow(expect.objectContaining({ code: 'ORG_ERR_XML_PARSE' }));
    expect(() => readClientFrame('<a>'.repeat(100), rules)).toThrow(expect.objectContaining({ code: 'ORG_ERR_XML_TOO_DEEP' }));
  });
});

describe('server frames', () => {
  it('parse back into what the server meant, with text escaped', () => {
    expect(parseServerFrame(welcomeFrame('client-1', 'demo'))).toEqual({ kind: 'welcome', identity: 'client-1', organism: 'demo' });
    expect(parseServerFrame(acceptedFrame(THREAD))).toEqual({ kind: 'accepted', thread: THREAD });
    expect(parseServerFrame(idleFrame(THREAD))).toEqual({ kind: 'idle', thread: THREAD });
    expect(parseServerFrame(errorFrame('ORG_ERR_SERVER_RATE', 'a < b & c'))).toEqual({ kind: 'error', code: 'ORG_ERR_SERVER_RATE', message: 'a < b & c' });
    expect(parseServerFrame(errorFrame('ORG_ERR_BUSY', 'full', THREAD))).toEqual({ kind: 'error', code: 'ORG_ERR_BUSY', message: 'full', thread: THREAD });
    expect(errorFrame('X', 'y')).toBe(`<error xmlns="${SERVER_NS}"><code>X</code><message>y</message></error>`);
  });

  it('parse an egress envelope, with the <huh> code and message when it is one', () => {
    const huh = buildEnvelope({ from: 'organism', to: 'client-1', thread: THREAD }, '<huh><code>ORG_ERR_ROUTE_UNKNOWN</code><message>Nothing here</message></huh>');
    expect(parseServerFrame(huh)).toMatchObject({
      kind: 'message',
      from: 'organism',
      to: 'client-1',
      thread: THREAD,
      tag: 'huh',
      huh: { code: 'ORG_ERR_ROUTE_UNKNOWN', message: 'Nothing here' },
    });
  });

  it('refuse a frame of another protocol', () => {
    expect(() => parseServerFrame('<hello/>')).toThrow(expect.objectContaining({ code: 'ORG_ERR_CLIENT_CONNECT' }));
    expect(() => parseServerFrame(`<nope xmlns="${SERVER_NS}"/>`)).toThrow(/unknown frame/);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the rate, and drops what is above it', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now = 500; // half a second: one token at 2/s
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now = 60_000; // refills to the burst, no more
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});

describe('StrikeCounter', () => {
  it('says "too many" only when more than the limit fall within the window', () => {
    let now = 0;
    const strikes = new StrikeCounter(2, 1000, () => now);
    expect([strikes.strike(), strikes.strike()]).toEqual([false, false]);
    now = 1500; // the first two left the window
    expect([strikes.strike(), strikes.strike(), strikes.strike()]).toEqual([false, false, true]);
  });
});

describe('ThreadOwners', () => {
  it('keeps at most maxThreads per owner, forgetting the oldest one it may, and forgets an owner with no threads', () => {
    const owners = new ThreadOwners(2);
    const busy = new Set(['t1']);
    const canForget = (thread: string) => !busy.has(thread);
    owners.claim('t1', 'alice', canForget);
    owners.claim('t2', 'alice', canForget);
    owners.claim('t1', 'alice', canForget); // already hers: nothing changes
    owners.claim('x1', 'bob', canForget);
    owners.claim('t3', 'alice', canForget); // t1 is busy, so t2 goes
    expect(owners.threadsOf('alice')).toEqual(['t1', 't3']);
    expect([owners.ownerOf('t1'), owners.ownerOf('t2'), owners.ownerOf('x1')]).toEqual(['alice', undefined, 'bob']);
    owners.release('x1');
    owners.release('x1');
    expect(owners.threadsOf('bob')).toEqual([]);
    expect(owners.size).toBe(2);
  });
});

describe('FrameQueue', () => {
  it('admits at most `concurrency` at once, the rest in arrival order, and reports how many wait', async () => {
    const waiting: number[] = [];
    const queue = new FrameQueue(2, () => waiting.push(queue.waiting));
    const gates: Array<() => void> = [];
    const started: number[] = [];
    const outcomes = [0, 1, 2, 3, 4].map((n) =>
      queue
        .run(async () => {
          started.push(n);
          await new Promise<void>((resolve) => gates.push(resolve));
          if (n === 3) throw new Error('refused');
          return n;
        })
        .then(
          () => 'fulfilled',
          () => 'rejected',
        ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect([started, queue.waiting, waiting]).toEqual([[0, 1], 3, [1, 2, 3]]);
    for (let settled = 0; settled < 5; settled++) {
      gates.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(waiting).toEqual([1, 2, 3, 2, 1, 0]);
    expect(await Promise.all(outcomes)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    // A failed admission passes the turn on like any other: the queue is empty and admits at once.
    await expect(queue.run(async () => 'next')).resolves.toBe('next');
    expect(queue.waiting).toBe(0);
  });
});

describe('authentication', () => {
  const request = (headers: Record<string, string>, url = '/') => ({ headers, url }) as unknown as IncomingMessage;

  it('reads the bearer token from the header first, then the query', () => {
    expect(tokenOf(request({ authorization: 'Bearer abc' }, '/?token=xyz'))).toBe('abc');
    expect(tokenOf(request({}, '/?token=xyz'))).toBe('xyz');
    expect(tokenOf(request({ authorization: 'Basic abc' }))).toBeUndefined();
    expect(tokenOf(request({}))).toBeUndefined();
  });

  it('admits the shared token without a name and a named token with its name, nothing else', () => {
    const auth = createAuthenticator('shared', { 'alice-token': 'alice' });
    expect(auth.admit('shared')).toEqual({});
    expect(auth.admit('alice-token')).toEqual({ name: 'alice' });
    expect(auth.admit('shared2')).toBeUndefined();
    expect(auth.admit(undefined)).toBeUndefined();
  });

  it('needs at least one token, and no empty one', () => {
    expect(() => createAuthenticator(undefined)).toThrow(expect.objectContaining({ code: 'ORG_ERR_CONFIG' }));
    expect(() => createAuthenticator('')).toThrow(expect.objectContaining({ code: 'ORG_ERR_CONFIG' }));
  });
});

describe('connection limits', () => {
  it('fill in defaults and refuse a limit that is not a positive number', () => {
    expect(resolveConnectionLimits({ burst: 5 })).toMatchObject({ burst: 5, framesPerSecond: 50, maxInFlight: 64 });
    expect(() => resolveConnectionLimits({ maxInFlight: 0 })).toThrow(expect.objectContaining({ code: 'ORG_ERR_CONFIG' }));
    expect(resolveConnectionLimits().maxAdmitting).toBe(16);
    expect(() => resolveConnectionLimits({ maxAdmitting: -1 })).toThrow(expect.objectContaining({ code: 'ORG_ERR_CONFIG' }));
  });
});
