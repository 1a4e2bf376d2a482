import { describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import { z } from 'zod';
import { buildEnvelope as envelope } from '@organism/xml';
import { META_NS, definePayload, type ListenerSpec } from '@organism/core';
import { CloseCodes, type ServerFrame } from '../src/index.js';
import { TestClient } from './support/testClient.js';
import { GREETING } from './support/testOrganism.js';
import { TOKEN, cleanups, client, idleOn, isMessage, serve } from './support/serving.js';

// Two (or three) real ws clients on loopback against a real server: what one client can do to another.

type Accepted = Extract<ServerFrame, { kind: 'accepted' }>;
const errorOn = (thread: string) => (f: ServerFrame) => f.kind === 'error' && f.thread === thread;

/** A greeting round trip on a new thread; resolves with the reply. Proves the client is served, and flushes what came before. */
async function roundTrip(c: TestClient, name = 'World') {
  const before = c.all('accepted').length;
  c.send(`@greeter <greeting><name>${name}</name></greeting>`);
  await c.until(() => c.all('accepted').length > before, 10_000);
  const accepted = c.all('accepted')[before]!;
  await c.next(idleOn(accepted.thread));
  return c.all('message').find((m) => m.thread === accepted.thread)!;
}

describe('two clients: A cannot reach into B', () => {
  it("a <from> spoofed as B enters as A's own identity; the reply goes to A and B receives nothing", async () => {
    const { url, routed } = await serve();
    const a = await client(url);
    const b = await client(url);
    const threads: string[] = [randomUUID(), randomUUID()];
    a.send(envelope({ from: b.identity, to: 'mirror', thread: threads[0]! }, '<whoami><n>1</n></whoami>'));
    a.send(envelope({ from: b.identity.toUpperCase(), thread: threads[1]! }, '<mirror.whoami><n>2</n></mirror.whoami>'));
    for (const thread of threads) await a.next(idleOn(thread));
    await roundTrip(b);

    expect(routed.filter((m) => threads.includes(m.thread)).map((m) => m.from)).toEqual([a.identity, a.identity]);
    const replies = a.all('message');
    expect(replies.map((m) => [m.to, m.thread]).sort()).toEqual(threads.map((t) => [a.identity, t]).sort());
    for (const reply of replies) expect(reply.payload).toContain(`<from>${a.identity}</from>`);
    // B's only message is its own round trip's reply.
    expect(b.all('message').map((m) => m.from)).toEqual(['greeter']);
    expect(b.raw.join('')).not.toContain(threads[0]);
    expect(b.raw.join('')).not.toContain(threads[1]);
  });

  it("A's frames on B's running thread are refused, and B's conversation goes on untouched", async () => {
    const { url, routed } = await serve();
    const a = await client(url);
    const b = await client(url);
    b.send('@sleeper <nap><ms>300</ms><label>b</label></nap>');
    const { thread } = await b.next<Accepted>((f) => f.kind === 'accepted');
    // The same payload six times would end B's thread with ORG_ERR_REPEAT if any of it got in.
    const attempts = [
      ...Array.from({ length: 6 }, () => envelope({ from: b.identity, to: 'sleeper', thread }, '<nap><ms>0</ms><label>b</label></nap>')),
      envelope({ from: a.identity, to: 'mirror', thread: thread.toUpperCase() }, '<whoami><n>1</n></whoami>'),
    ];
    for (const frame of attempts) a.send(frame);
    await a.next(() => a.all('error').length === attempts.length);
    expect(a.all('error').map((e) => [e.code, e.thread])).toEqual(attempts.map(() => ['ORG_ERR_SERVER_THREAD', thread]));
    expect(a.all('accepted')).toEqual([]);

    await b.next(idleOn(thread));
    expect(b.all('message').map((m) => [m.from, m.thread, m.payload])).toEqual([['sleeper', thread, '<napped><label>b</label></napped>']]);
    expect(routed.filter((m) => m.thread === thread).map((m) => m.from)).toEqual([b.identity]);
    expect(a.all('message')).toEqual([]);
  });

  it('a thread stays its client\'s while its work runs, even after that client disconnected', async () => {
    const { org, url, routed } = await serve();
    const a = await client(url);
    const b = await client(url);
    b.send('@sleeper <nap><ms>300</ms><label>b</label></nap>');
    const { thread } = await b.next<Accepted>((f) => f.kind === 'accepted');
    await b.close();

    a.send(envelope({ from: a.identity, to: 'mirror', thread }, '<whoami><n>1</n></whoami>'));
    expect(await a.next(errorOn(thread))).toMatchObject({ code: 'ORG_ERR_SERVER_THREAD' });
    await org.whenIdle();
    expect(routed.filter((m) => m.thread === thread).map((m) => m.listener)).toEqual(['sleeper']);

    // Once nothing runs on it, the thread of a connection that is gone is free again: a new conversation of A's.
    a.send(envelope({ from: a.identity, to: 'mirror', thread }, '<whoami><n>2</n></whoami>'));
    await a.next(idleOn(thread));
    expect(a.all('message').map((m) => [m.to, m.thread])).toEqual([[a.identity, thread]]);
  });

  it("a named client's threads stay its own across reconnects; another client is refused them meanwhile", async () => {
    const { url } = await serve({ clients: { 'alice-secret': 'alice', 'bob-secret': 'bob' } });
    let alice = await client(url, 'alice-secret');
    const bob = await client(url, 'bob-secret');
    alice.send('@greeter <greeting><name>Alice</name></greeting>');
    const { thread } = await alice.next<Accepted>((f) => f.kind === 'accepted');
    await alice.next(idleOn(thread));
    await alice.close();

    bob.send(envelope({ from: 'alice', to: 'greeter', thread }, '<greeting><name>Bob</name></greeting>'));
    expect(await bob.next(errorOn(thread))).toMatchObject({ code: 'ORG_ERR_SERVER_THREAD' });

    alice = await client(url, 'alice-secret');
    alice.send(envelope({ from: 'alice', to: 'greeter', thread }, '<greeting><name>again</name></greeting>'));
    await alice.next(idleOn(thread));
    expect(alice.all('message').map((m) => [m.to, m.thread, m.payload])).toEqual([
      ['alice', thread, '<greetingresponse><message>Hello, again!</message></greetingresponse>'],
    ]);
    expect(bob.all('message')).toEqual([]);
  });

  it("A addressing B's identity in any spelling is refused with a code, and B receives nothing", async () => {
    const { url } = await serve({ clients: { 'bob-secret': 'bob' } });
    const a = await client(url);
    const b = await client(url, 'bob-secret');
    const frames = [
      envelope({ from: a.identity, to: 'BOB', thread: randomUUID() }, '<greetingresponse><message>hi</message></greetingresponse>'),
      '@Bob <whoami><n>1</n></whoami>',
      envelope({ from: 'greeter', to: 'bob', thread: randomUUID() }, '<greetingresponse><message>from "greeter"</message></greetingresponse>'),
    ];
    for (const frame of frames) a.send(frame);
    await a.next(() => a.all('error').length === frames.length);
    expect(a.all('error').map((e) => e.code)).toEqual(frames.map(() => 'ORG_ERR_SERVER_ADDRESS'));
    await roundTrip(b);
    expect(b.all('message').map((m) => m.from)).toEqual(['greeter']);
  });

  it("introspection answers A only and tells nothing of B's identity, threads or messages", async () => {
    const { url, http } = await serve();
    const a = await client(url);
    const b = await client(url);
    const secret = 'Bs-private-name';
    const bReply = await roundTrip(b, secret);

    const requests = [
      `<list-capabilities xmlns="${META_NS}"/>`,
      `<request-schema xmlns="${META_NS}"><listener>greeter</listener></request-schema>`,
      `<request-example xmlns="${META_NS}"><listener>${b.identity}</listener></request-example>`,
      `<request-prompt xmlns="${META_NS}"><listener>${b.identity}</listener></request-prompt>`,
    ];
    for (const request of requests) a.send(request);
    await a.next(() => a.all('message').length === requests.length);
    const answers = a.all('message');
    expect(answers.map((m) => m.to)).toEqual(requests.map(() => a.identity));
    expect(answers.filter((m) => m.huh).map((m) => m.huh!.code)).toEqual(['ORG_ERR_ROUTE_UNKNOWN', 'ORG_ERR_ROUTE_UNKNOWN']);
    expect(answers.find((m) => m.tag === 'capabilities')?.payload).toContain('name="greeter"');
    const seenByA = a.raw.join('\n');
    for (const theirs of [secret, bReply.thread]) expect(seenByA).not.toContain(theirs);
    // B's name comes back only inside the echo of A's own question.
    for (const answer of answers) {
      expect(answer.payload.replaceAll(`&lt;listener&gt;${b.identity}&lt;/listener&gt;`, '')).not.toContain(b.identity);
    }

    // Nor do the HTTP endpoints anyone on the port can read.
    const published = (await (await fetch(`${http}/metrics`)).text()) + (await (await fetch(`${http}/healthz`)).text());
    for (const theirs of [secret, bReply.thread, b.identity, a.identity]) expect(published).not.toContain(theirs);
    expect(b.all('message')).toHaveLength(1);
  });
});

/** `<blast><kb>32</kb><count>32</count></blast>`: answered with `count` payloads of `kb` KiB each. */
const Blast = definePayload('Blast', z.object({ kb: z.number().int().min(1).max(512), count: z.number().int().min(1).max(32) }));
const blaster: ListenerSpec = {
  name: 'blaster',
  payload: Blast,
  description: 'Answers with a lot of bytes',
  handler: ({ kb, count }: { kb: number; count: number }) => {
    const data = 'x'.repeat(kb * 1024);
    return Array.from({ length: count }, (_, n) => `<chunk><n>${n}</n><data>${data}</data></chunk>`).join('');
  },
};

/** The TCP socket under a ws client: pausing it stops reading, as a stuck client would. */
const tcpOf = (c: TestClient) => (c.ws as unknown as { _socket: Socket })._socket;

/** A client text frame as RFC 6455 wants it from a client: masked. Short frames only (< 64 KiB). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, mask, payload.map((byte, i) => byte ^ mask[i % 4]!)]);
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const stop = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > stop) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a client that never reads', () => {
  it('is closed with 1008 once its unread bytes pass maxBufferedBytes; its resources go and the organism and other clients carry on', async () => {
    const maxBufferedBytes = 1024 * 1024;
    const { org, server, url, http } = await serve({ limits: { maxBufferedBytes } }, {}, [blaster]);
    const reader = await client(url);
    const stuck = await client(url);
    tcpOf(stuck).pause();
    // 40 frames × 32 payloads × 32 KiB ≈ 40 MiB owed to a client that reads nothing: far more than
    // the kernel's socket buffers on both ends and maxBufferedBytes together.
    for (let n = 0; n < 40; n++) stuck.send('@blaster <blast><kb>32</kb><count>32</count></blast>');

    const started = Date.now();
    let served = 0;
    while (server.connections > 1 && Date.now() - started < 10_000) {
      await roundTrip(reader, `during-${served++}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(served).toBeGreaterThan(0);
    expect(server.connections).toBe(1);
    // Released within seconds, not after the ws library's 30 s close timeout.
    expect(Date.now() - started).toBeLessThan(8_000);
    await org.whenIdle();
    expect(org.stats()).toMatchObject({ queued: 0, inFlight: 0 });
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toMatch(/^organism_server_egress_dropped_total [1-9]/m);

    // The stuck client, reading again, finds its connection ended.
    tcpOf(stuck).resume();
    const { code } = await stuck.closed;
    expect([1006, CloseCodes.POLICY_VIOLATION]).toContain(code);
    expect((await roundTrip(reader, 'after')).payload).toContain('Hello, after!');
  });

  it('a raw TCP client that upgrades, sends, and never reads a byte is cut off the same way', async () => {
    const { org, server, url } = await serve({ limits: { maxBufferedBytes: 256 * 1024 } }, {}, [blaster]);
    const reader = await client(url);
    const { port } = server.address;
    const socket = tcpConnect(port, '127.0.0.1');
    cleanups.push(async () => void socket.destroy());
    await once(socket, 'connect');
    socket.pause(); // no reads at all: not even the upgrade response or the welcome
    socket.write(
      [
        'GET / HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Authorization: Bearer ${TOKEN}`,
        '',
        '',
      ].join('\r\n'),
    );
    await until(() => server.connections === 2, 5_000);
    for (let n = 0; n < 40; n++) socket.write(maskedTextFrame('@blaster <blast><kb>32</kb><count>32</count></blast>'));

    await until(() => server.connections === 1, 10_000);
    await org.whenIdle();
    expect((await roundTrip(reader, 'still here')).payload).toContain('Hello, still here!');
    // Reading at last, the client finds the upgrade, some of its replies, and then the end of the connection.
    const ended = once(socket, 'close');
    socket.resume();
    await ended;
  });
});

/** B's round trips (one at a time, on new threads, at least `paceMs` apart) until `until()` holds; their latencies in ms. */
async function roundTripsUntil(b: TestClient, until: () => boolean, deadlineMs: number, paceMs = 0): Promise<number[]> {
  const latencies: number[] = [];
  const stop = Date.now() + deadlineMs;
  while (!until() && Date.now() < stop) {
    const started = performance.now();
    await roundTrip(b, `b${latencies.length}`);
    const took = performance.now() - started;
    latencies.push(took);
    if (took < paceMs) await new Promise((resolve) => setTimeout(resolve, paceMs - took));
  }
  return latencies;
}

const percentile = (values: number[], p: number) => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

describe('fairness: A flooding does not starve B', () => {
  const FLOOD = 5_000;

  it('with the default limits, A is rate-limited and closed with 4429 while B keeps its round trips', async () => {
    const { url } = await serve();
    const a = await client(url);
    const b = await client(url);
    for (let n = 0; n < FLOOD; n++) a.send(`@mirror <whoami><n>${n}</n></whoami>`);
    // B stays below the default rate (50 frames/s) itself.
    const during = await roundTripsUntil(b, () => a.ws.readyState === a.ws.CLOSED, 10_000, 25);
    expect((await a.closed).code).toBe(CloseCodes.TOO_MANY_FRAMES);
    // The burst (100) got in; the rest was refused at the door, never queued.
    expect(a.all('accepted').length).toBeLessThanOrEqual(101);
    const after = await roundTripsUntil(b, () => false, 300, 25);
    expect(b.all('error')).toEqual([]);
    expect(Math.max(...during, ...after)).toBeLessThan(2_000);
  });

  it('with rate limits lifted, 5,000 frames from A as fast as it can send leave B round trips of bounded latency', async () => {
    const { url } = await serve(
      { limits: { framesPerSecond: 1_000_000, burst: 1_000_000, maxStrikes: 1_000_000 } },
      // A small admission queue, so that A's flood keeps the organism full while B asks. Without
      // the per-connection bound (maxAdmitting) B's frames are refused with ORG_ERR_BUSY here.
      { maxQueued: 100 },
    );
    const a = await client(url);
    const b = await client(url);
    const baseline = await roundTripsUntil(b, () => false, 300);

    // A's flood continues ten threads of its own (in flight, so maxInFlight does not refuse them);
    // every frame costs a handler call of 1 ms or more.
    const threads = Array.from({ length: 10 }, () => randomUUID());
    const floodStarted = performance.now();
    for (let n = 0; n < FLOOD; n++) {
      a.send(envelope({ from: a.identity, to: 'sleeper', thread: threads[n % threads.length]! }, `<nap><ms>1</ms><label>${n}</label></nap>`));
    }
    const answered = () => a.all('accepted').length + a.all('error').length;
    const during = await roundTripsUntil(b, () => answered() >= FLOOD, 60_000);
    const floodMs = performance.now() - floodStarted;
    const idle = new Set<string>();
    let read = 0;
    await a.until(() => {
      for (; read < a.frames.length; read++) {
        const f = a.frames[read]!;
        if (f.kind === 'idle') idle.add(f.thread);
      }
      return threads.every((t) => idle.has(t));
    }, 30_000);

    // A lost nothing: every frame accepted and answered.
    expect(a.all('error')).toEqual([]);
    expect([a.all('accepted').length, a.all('message').length]).toEqual([FLOOD, FLOOD]);
    // The flood lasted long enough to measure B against (seconds here), and B was served all along:
    // at least 10 round trips a second, none slower than a second (typically p50 ≈ 15 ms, max ≈ 200 ms
    // against a baseline of ≈ 2 ms; the bounds leave room for a loaded machine).
    expect(floodMs).toBeGreaterThan(1_000);
    expect(b.all('error')).toEqual([]);
    expect(during.length).toBeGreaterThanOrEqual(Math.floor(floodMs / 100));
    expect(percentile(during, 0.95)).toBeLessThan(500);
    expect(Math.max(...during)).toBeLessThan(1_000);
    expect(percentile(baseline, 0.5)).toBeLessThan(percentile(during, 0.5) + 50);
  }, 60_000);
});
