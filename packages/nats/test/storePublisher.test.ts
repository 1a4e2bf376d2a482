import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AckPolicy, RetentionPolicy, connect, nanos, type NatsConnection } from 'nats';
import { StorePublisher } from '../src/storePublisher.js';
import { ThreadActivityTracker } from '../src/threadActivity.js';
import { startNatsServer, type NatsServer } from './support/natsServer.js';

let server: NatsServer;
let nc: NatsConnection;
beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url, noAsyncTraces: true });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: 'PUB', subjects: ['pub.>'], retention: RetentionPolicy.Workqueue, duplicate_window: nanos(60_000), max_msg_size: 1024 });
  await jsm.consumers.add('PUB', { durable_name: 'all', ack_policy: AckPolicy.Explicit });
}, 30_000);
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

async function stored(): Promise<number> {
  const jsm = await nc.jetstreamManager();
  return (await jsm.streams.info('PUB')).state.messages;
}

describe('StorePublisher (JetStream publishes acknowledged on one inbox)', () => {
  it('resolves once the stream stored the message; a repeated Nats-Msg-Id is stored once', async () => {
    const publisher = new StorePublisher(nc, 5_000);
    const before = await stored();
    const data = new TextEncoder().encode('<x/>');
    await Promise.all(Array.from({ length: 50 }, (_, i) => publisher.publish('pub.a', data, `id-${i}`)));
    await publisher.publish('pub.a', data, 'id-7'); // a retry of one of them
    expect((await stored()) - before).toBe(50);
    const jsm = await nc.jetstreamManager();
    const last = await jsm.streams.getMessage('PUB', { last_by_subj: 'pub.a' });
    expect(last.header.get('Nats-Msg-Id')).toBe('id-49');
    publisher.close();
  });

  it("rejects with the stream's own error (a message over max_msg_size)", async () => {
    const publisher = new StorePublisher(nc, 5_000);
    await expect(publisher.publish('pub.big', new Uint8Array(4096), 'big-1')).rejects.toThrow(/maximum|exceeds|size/i);
    publisher.close();
  });

  it('rejects with "no responders" when no stream takes the subject', async () => {
    const publisher = new StorePublisher(nc, 5_000);
    await expect(publisher.publish('nostream.x', new Uint8Array(1), 'n-1')).rejects.toThrow(/no responders/);
    publisher.close();
  });

  it('rejects with a timeout when nothing acknowledges, and its timer is released', async () => {
    // A plain subscriber takes the subject and never answers: no 503, no acknowledgement.
    const silent = nc.subscribe('silent.x');
    const publisher = new StorePublisher(nc, 300);
    const started = Date.now();
    await expect(publisher.publish('silent.x', new Uint8Array(1), 's-1')).rejects.toThrow(/timeout/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
    // Another publish after the timeout works the same (the sweeper restarts and stops again).
    await expect(publisher.publish('silent.x', new Uint8Array(1), 's-2')).rejects.toThrow(/timeout/);
    silent.unsubscribe();
    publisher.close();
  });

  it('close() rejects what is still waiting, and later publishes', async () => {
    const silent = nc.subscribe('silent.y');
    const publisher = new StorePublisher(nc, 60_000);
    const waiting = publisher.publish('silent.y', new Uint8Array(1), 'c-1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    publisher.close();
    await expect(waiting).rejects.toThrow(/closed/);
    await expect(publisher.publish('pub.a', new Uint8Array(1), 'c-2')).rejects.toThrow(/closed/);
    silent.unsubscribe();
  });
});

describe('ThreadActivityTracker', () => {
  it('a "-" that overtakes its "+" is remembered: the late "+" does not make the thread busy', () => {
    const tracker = new ThreadActivityTracker();
    const idle: string[] = [];
    tracker.idle$.subscribe((t) => idle.push(t));
    tracker.started('t1', 'x');
    tracker.ended('t1', 'y'); // y's "-" first (another process completed it)
    tracker.started('t1', 'y'); // then y's "+": ignored
    expect(tracker.isBusy('t1')).toBe(true); // x is still open
    tracker.ended('t1', 'x');
    expect(tracker.isBusy('t1')).toBe(false);
    expect(idle).toEqual(['t1']);
    tracker.close();
  });

  it('remembers at least the last 10,000 finished ids, in constant time per id', () => {
    const tracker = new ThreadActivityTracker();
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) tracker.ended('t', `id-${i}`);
    // Deleting the oldest entry of a Set one by one took quadratic time here (seconds).
    expect(performance.now() - started).toBeLessThan(2_000);
    for (let i = 200_000 - 10_000; i < 200_000; i++) tracker.started('t', `id-${i}`);
    expect(tracker.isBusy('t')).toBe(false);
    tracker.started('t', 'id-0'); // long forgotten: counts again
    expect(tracker.isBusy('t')).toBe(true);
    tracker.close();
  });

  it('counts several open messages of one thread, each once, and reports the thread idle after the last', () => {
    const tracker = new ThreadActivityTracker();
    const idle: string[] = [];
    tracker.idle$.subscribe((t) => idle.push(t));
    tracker.started('t', 'a');
    tracker.started('t', 'a'); // a repeated "+" (a redelivered output): counted once
    tracker.started('t', 'b');
    tracker.started('t', 'c');
    tracker.ended('t', 'b');
    tracker.ended('t', 'x'); // never started here: nothing changes
    expect(tracker.isBusy('t')).toBe(true);
    tracker.ended('t', 'a');
    expect(tracker.isBusy('t')).toBe(true);
    tracker.ended('t', 'c');
    expect(tracker.isBusy('t')).toBe(false);
    expect(idle).toEqual(['t']);
    tracker.started('t', 'a'); // finished already: ignored
    expect(tracker.isBusy('t')).toBe(false);
    tracker.close();
  });

  it('holds at most 100,000 open messages: beyond it the oldest thread is let go and reported idle', () => {
    const tracker = new ThreadActivityTracker();
    const idle: string[] = [];
    tracker.idle$.subscribe((t) => idle.push(t));
    tracker.started('old', 'o1');
    tracker.started('old', 'o2');
    for (let i = 0; i < 99_998; i++) tracker.started(`t${i}`, `id${i}`);
    expect(idle).toEqual([]);
    tracker.started('new', 'n1'); // the 100,001st
    expect(idle).toEqual(['old']);
    expect(tracker.isBusy('old')).toBe(false);
    tracker.started('newer', 'n2'); // 'old' held two: there is room for one more
    expect(idle).toEqual(['old']);
    tracker.started('newest', 'n3');
    expect(idle).toEqual(['old', 't0']);
    tracker.close();
  });
});
