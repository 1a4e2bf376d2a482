import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ENVELOPE_NS, buildEnvelope as envelope } from '@organism/xml';
import { z } from 'zod';
import { createOrganism, definePayload, sendTo, type RoutedMessage } from '@organism/core';
import { CloseCodes, startServer, type ServerFrame } from '../src/index.js';
import { GREETING, testOrganism } from './support/testOrganism.js';
import { TOKEN, cleanups, client, idleOn, isMessage, rawClient, serve } from './support/serving.js';

describe('authentication', () => {
  it('welcomes a client with the token under its own identity, and its frame gets exactly its reply', async () => {
    const { server, url } = await serve();
    expect(server.address.host).toBe('127.0.0.1');
    expect(server.address.port).toBeGreaterThan(0);
    const c = await client(url);
    expect(c.identity).toMatch(/^client-\d+$/);

    c.send(`@greeter ${GREETING}`);
    const accepted = await c.next<Extract<ServerFrame, { kind: 'accepted' }>>((f) => f.kind === 'accepted');
    await c.next(idleOn(accepted.thread));
    const replies = c.frames.filter(isMessage);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ from: 'greeter', to: c.identity, thread: accepted.thread, tag: 'greetingresponse' });
    expect(replies[0]!.payload).toBe('<greetingresponse><message>Hello, World!</message></greetingresponse>');
    expect(server.connections).toBe(1);
  });

  it('also accepts the token as a ?token= query parameter', async () => {
    const { url } = await serve();
    const c = await rawClient(url, { token: TOKEN, query: true });
    const welcome = await c.next((f) => f.kind === 'welcome');
    expect(welcome).toMatchObject({ kind: 'welcome', organism: 'server-test' });
  });

  it('closes a client without a token with 4401 and a reason, and never welcomes it', async () => {
    const { url, server } = await serve();
    const c = await rawClient(url);
    const { code, reason } = await c.closed;
    expect(code).toBe(CloseCodes.UNAUTHORIZED);
    expect(reason).toContain('Authorization: Bearer');
    expect(c.frames).toEqual([]);
    expect(server.connections).toBe(0);
  });

  it('closes a client with a wrong token with 4401', async () => {
    const { url } = await serve();
    const c = await rawClient(url, { token: 'not-the-token' });
    expect(await c.closed).toEqual({ code: 4401, reason: 'unauthorized: wrong token' });
    expect(c.frames).toEqual([]);
  });

  it('refuses to start without a token', async () => {
    const org = testOrganism();
    cleanups.push(() => org.close());
    await expect(startServer(org, { port: 0 })).rejects.toMatchObject({ code: 'ORG_ERR_CONFIG', message: expect.stringContaining('ORGANISM_TOKEN') });
  });

  it('gives a named token its fixed identity, one connection at a time', async () => {
    const { url } = await serve({ clients: { 'alice-secret': 'alice' } });
    const alice = await client(url, 'alice-secret');
    expect(alice.identity).toBe('alice');
    const second = await rawClient(url, { token: 'alice-secret' });
    expect((await second.closed).code).toBe(CloseCodes.IDENTITY_IN_USE);
    alice.send(`@greeter ${GREETING}`);
    const reply = await alice.next(isMessage);
    expect(reply).toMatchObject({ to: 'alice' });
  });

  it('refuses a client name that is a listener or the organism itself', async () => {
    const org = testOrganism();
    cleanups.push(() => org.close());
    await expect(startServer(org, { port: 0, clients: { t: 'Greeter' } })).rejects.toMatchObject({ code: 'ORG_ERR_CONFIG' });
    await expect(startServer(org, { port: 0, clients: { t: 'organism' } })).rejects.toMatchObject({ code: 'ORG_ERR_CONFIG' });
  });

  it('reports a port in use as ORG_ERR_SERVER_LISTEN', async () => {
    const { server } = await serve();
    const org = testOrganism();
    cleanups.push(() => org.close());
    await expect(startServer(org, { port: server.address.port, token: TOKEN })).rejects.toMatchObject({ code: 'ORG_ERR_SERVER_LISTEN' });
  });
});

describe('identity and isolation', () => {
  it('replaces a spoofed <from> with the connection identity', async () => {
    const { org, url } = await serve();
    const routed: RoutedMessage[] = [];
    const subscription = org.messages$.subscribe((m) => routed.push(m));
    cleanups.push(async () => subscription.unsubscribe());
    const c = await client(url);
    const thread = randomUUID();
    c.send(envelope({ from: 'greeter', to: 'mirror', thread }, '<whoami><n>1</n></whoami>'));
    await c.next(idleOn(thread));
    expect(routed).toEqual([expect.objectContaining({ listener: 'mirror', from: c.identity, thread })]);
    const reply = c.frames.find(isMessage)!;
    expect(reply).toMatchObject({ from: 'mirror', to: c.identity, thread });
    expect(reply.payload).toBe(`<you><from>${c.identity}</from><thread>${thread}</thread></you>`);
  });

  it('delivers to each of two clients only the replies on its own threads', async () => {
    const { url } = await serve();
    const a = await client(url);
    const b = await client(url);
    expect(a.identity).not.toBe(b.identity);
    for (let n = 0; n < 5; n++) {
      a.send(`@mirror <whoami><n>${n}</n></whoami>`);
      b.send(`@mirror <whoami><n>${n}</n></whoami>`);
    }
    for (const c of [a, b]) {
      await c.next(() => c.all('idle').length === 5);
    }
    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const replies = self.all('message');
      expect(replies).toHaveLength(5);
      const own = new Set(self.all('accepted').map((f) => f.thread));
      const theirs = new Set(other.all('accepted').map((f) => f.thread));
      for (const reply of replies) {
        expect(reply.to).toBe(self.identity);
        expect(reply.payload).toContain(`<from>${self.identity}</from>`);
        expect(own.has(reply.thread)).toBe(true);
        expect(theirs.has(reply.thread)).toBe(false);
      }
    }
  });

  it("refuses a frame that continues another client's thread", async () => {
    const { url } = await serve();
    const a = await client(url);
    const b = await client(url);
    const thread = randomUUID();
    a.send(envelope({ from: 'a', to: 'mirror', thread }, '<whoami><n>1</n></whoami>'));
    await a.next(idleOn(thread));
    b.send(envelope({ from: 'b', to: 'mirror', thread: thread.toUpperCase() }, '<whoami><n>2</n></whoami>'));
    const refused = await b.next((f) => f.kind === 'error');
    expect(refused).toMatchObject({ code: 'ORG_ERR_SERVER_THREAD', thread });
    expect(b.all('message')).toEqual([]);
    expect(a.all('message')).toHaveLength(1);
  });

  it('refuses a frame addressed to another client or to anything but a listener', async () => {
    const { url } = await serve();
    const a = await client(url);
    const b = await client(url);
    b.send(envelope({ from: b.identity, to: a.identity, thread: randomUUID() }, '<greetingresponse><message>hi</message></greetingresponse>'));
    b.send(`@${a.identity} <whoami><n>1</n></whoami>`);
    b.send(`@organism ${GREETING}`);
    await b.next(() => b.all('error').length === 3);
    expect(b.all('error').map((e) => e.code)).toEqual(['ORG_ERR_SERVER_ADDRESS', 'ORG_ERR_SERVER_ADDRESS', 'ORG_ERR_SERVER_ADDRESS']);
    // a round trip afterwards shows nothing reached the other client in between
    a.send(`@greeter ${GREETING}`);
    await a.next(isMessage);
    expect(a.all('message').map((m) => m.from)).toEqual(['greeter']);
  });
});

describe('egress to connected clients', () => {
  const Notify = definePayload('Notify', z.object({ to: z.string() }));
  const notifier = { name: 'notifier', payload: Notify, description: 'Writes to a name', handler: ({ to }: { to: string }) => sendTo(to, '<note><text>hello</text></note>') };

  it('lets a listener address a connected client that did not start the thread, and only while it is connected', async () => {
    const { org, url } = await serve({}, { listeners: [notifier] });
    const errors: string[] = [];
    const subscription = org.errors$.subscribe((e) => errors.push(`${e.code}: ${e.message}`));
    cleanups.push(async () => subscription.unsubscribe());
    const a = await client(url);
    const b = await client(url);
    a.send(`@notifier <notify><to>${b.identity}</to></notify>`);
    const note = await b.next(isMessage);
    expect(note).toMatchObject({ from: 'notifier', to: b.identity, tag: 'note' });
    expect(b.all('accepted').map((f) => f.thread)).not.toContain(note.thread);
    expect(errors).toEqual([]);
    const gone = b.identity;
    await b.close();
    a.send(`@notifier <notify><to>${gone}</to></notify>`);
    await a.next(() => a.all('idle').length === 2);
    expect(errors).toEqual([
      `ORG_ERR_ROUTE_UNKNOWN: "${gone}" is neither a listener nor a known external party: address a listener, the thread's sender "${a.identity}", or a name declared under externals: in organism.yaml`,
    ]);
    expect(a.all('message')).toEqual([]);
  });
});

describe('bad frames and limits', () => {
  it('answers non-XML, binary and malformed frames with coded error frames and keeps serving the connection', async () => {
    const { url } = await serve();
    const c = await client(url);
    c.send('hello, is this thing on?');
    c.send(Buffer.from(GREETING), true);
    c.send(envelope({ from: 'x', to: 'greeter', thread: 'not-a-uuid' }, GREETING));
    c.send('@greeter');
    c.send(`<message xmlns="${ENVELOPE_NS}"><meta><thread>${randomUUID()}</thread></meta>${GREETING}</message>`);
    c.send('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>');
    await c.next(() => c.all('error').length === 6);
    expect(c.all('error').map((e) => e.code)).toEqual([
      'ORG_ERR_XML_PARSE',
      'ORG_ERR_SERVER_FRAME',
      'ORG_ERR_SERVER_FRAME',
      'ORG_ERR_SERVER_FRAME',
      'ORG_ERR_ENVELOPE_INVALID',
      'ORG_ERR_XML_DTD',
    ]);
    for (const error of c.all('error')) expect(error.message.length).toBeGreaterThan(10);

    c.send(`@greeter ${GREETING}`);
    const reply = await c.next(isMessage);
    expect(reply.payload).toContain('Hello, World!');
  });

  it('routes a bare payload by its tag and answers an invalid one with a <huh> on its thread', async () => {
    const { url } = await serve();
    const c = await client(url);
    c.send('<greeter.greeting><name>Bare</name></greeter.greeting>');
    c.send('@greeter <greeting><nom>Typo</nom></greeting>');
    await c.next(() => c.all('idle').length === 2);
    const [hello, huh] = [c.all('message').find((m) => m.tag === 'greetingresponse'), c.all('message').find((m) => m.huh)];
    expect(hello?.payload).toContain('Hello, Bare!');
    expect(huh).toMatchObject({ from: 'organism', to: c.identity, huh: { code: 'ORG_ERR_PAYLOAD_INVALID' } });
    expect(c.all('accepted').map((f) => f.thread)).toContain(huh!.thread);
  });

  it('closes a connection that sends an oversized frame (1009) while another client is served', async () => {
    const { url } = await serve({ limits: { maxFrameBytes: 4096 } });
    const good = await client(url);
    const big = await client(url);
    big.send(`@greeter <greeting><name>${'x'.repeat(10_000)}</name></greeting>`);
    expect((await big.closed).code).toBe(CloseCodes.MESSAGE_TOO_BIG);
    good.send(`@greeter ${GREETING}`);
    expect((await good.next(isMessage)).payload).toContain('Hello, World!');
  });

  it('answers a flood with rate errors, then closes it with 4429; the other client is unaffected', async () => {
    const { url } = await serve({ limits: { framesPerSecond: 1, burst: 3, maxStrikes: 5 } });
    const calm = await client(url);
    const flood = await client(url);
    for (let n = 0; n < 20; n++) flood.send(`@mirror <whoami><n>${n}</n></whoami>`);
    const { code, reason } = await flood.closed;
    expect(code).toBe(CloseCodes.TOO_MANY_FRAMES);
    expect(reason).toContain('too many frames');
    expect(flood.all('error').length).toBeGreaterThanOrEqual(5);
    expect(new Set(flood.all('error').map((e) => e.code))).toEqual(new Set(['ORG_ERR_SERVER_RATE']));
    expect(flood.all('accepted').length).toBeLessThanOrEqual(4);

    calm.send(`@greeter ${GREETING}`);
    expect((await calm.next(isMessage)).payload).toContain('Hello, World!');
  });

  it('closes a connection that keeps sending bad frames with 1008', async () => {
    const { url } = await serve({ limits: { maxStrikes: 3 } });
    const c = await client(url);
    for (let n = 0; n < 6; n++) c.send('junk');
    const { code, reason } = await c.closed;
    expect(code).toBe(CloseCodes.POLICY_VIOLATION);
    expect(reason).toContain('bad frames');
  });

  it('refuses a new thread beyond maxInFlight until one is idle', async () => {
    const { url } = await serve({ limits: { maxInFlight: 1 } });
    const c = await client(url);
    c.send('@sleeper <nap><ms>300</ms><label>first</label></nap>');
    const first = await c.next<Extract<ServerFrame, { kind: 'accepted' }>>((f) => f.kind === 'accepted');
    c.send('@sleeper <nap><ms>0</ms><label>second</label></nap>');
    expect(await c.next((f) => f.kind === 'error')).toMatchObject({ code: 'ORG_ERR_SERVER_IN_FLIGHT' });
    // the same thread may go on while it is in flight
    c.send(envelope({ from: 'me', to: 'sleeper', thread: first.thread }, '<nap><ms>0</ms><label>same</label></nap>'));
    await c.next(idleOn(first.thread));
    expect(c.all('message').map((m) => m.payload).sort()).toEqual(['<napped><label>first</label></napped>', '<napped><label>same</label></napped>']);
    c.send('@sleeper <nap><ms>0</ms><label>third</label></nap>');
    await c.next((f) => isMessage(f) && f.payload.includes('third'));
  });

  it('answers with ORG_ERR_BUSY when the organism is full and says so', async () => {
    const { url } = await serve({}, { whenFull: 'reject', maxQueued: 1, maxConcurrentHandlers: 1, maxConcurrentPerAgent: 1 });
    const c = await client(url);
    // One frame at a time: the first runs, the second waits in the queue, the third finds it full.
    for (let n = 0; n < 3; n++) {
      c.send(`@sleeper <nap><ms>200</ms><label>${n}</label></nap>`);
      await c.next(() => c.all('accepted').length + c.all('error').length === n + 1);
    }
    expect(c.all('error')).toEqual([expect.objectContaining({ code: 'ORG_ERR_BUSY' })]);
    await c.next(() => c.all('idle').length === 2);
    expect(c.all('message')).toHaveLength(2);
  });
});

describe('HTTP', () => {
  it('GET /healthz is ready when listeners are registered', async () => {
    const { http } = await serve();
    const response = await fetch(`${http}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', organism: 'server-test', listeners: 3, connections: 0 });
  });

  it('GET /healthz is 503 for an organism without listeners', async () => {
    const org = createOrganism({ name: 'empty', listeners: [] });
    const server = await startServer(org, { port: 0, token: TOKEN, processMetrics: false });
    cleanups.push(async () => {
      await server.close();
      await org.close();
    });
    const response = await fetch(`${server.address.http}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'not ready', listeners: 0 });
  });

  it('answers other paths with 404 and other methods with 405', async () => {
    const { http } = await serve();
    expect((await fetch(`${http}/nope`)).status).toBe(404);
    expect((await fetch(`${http}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('GET /metrics counts routed, egressed, errors by code, handler latency, queue and server frames', async () => {
    const { http, url } = await serve();
    const c = await client(url);
    c.send(`@greeter ${GREETING}`);
    c.send('@greeter <greeting><nom>Typo</nom></greeting>');
    c.send('not xml');
    await c.next(() => c.all('idle').length === 2 && c.all('error').length === 1);
    const response = await fetch(`${http}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const lines = text.split('\n');
    for (const line of [
      'organism_messages_routed_total{listener="greeter"} 1',
      'organism_messages_routed_total{listener="sleeper"} 0',
      'organism_messages_egressed_total{kind="reply"} 1',
      'organism_messages_egressed_total{kind="huh"} 1',
      'organism_errors_total{code="ORG_ERR_PAYLOAD_INVALID"} 1',
      'organism_errors_total{code="ORG_ERR_HANDLER_THREW"} 0',
      'organism_handler_duration_seconds_count{listener="greeter",outcome="ok"} 1',
      'organism_queued 0',
      'organism_in_flight 0',
      'organism_pending 0',
      'organism_listeners 3',
      'organism_server_connections 1',
      'organism_server_frames_total{outcome="accepted"} 2',
      'organism_server_frames_total{outcome="rejected"} 1',
      'organism_server_frames_rejected_total{code="ORG_ERR_XML_PARSE"} 1',
    ]) {
      expect(lines).toContain(line);
    }
    expect(text).toContain('# TYPE organism_handler_duration_seconds histogram');
    expect(text).not.toContain('process_cpu_user_seconds_total');
  });

  it('GET /metrics answers only the metrics token when one is set; /healthz stays open', async () => {
    const { http } = await serve({ metricsToken: 'scrape-secret' });
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}` }, { authorization: 'Basic c2NyYXBlLXNlY3JldA==' }]) {
      const refused = await fetch(`${http}/metrics`, { headers });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await refused.text()).toContain('Authorization: Bearer <metrics token>');
    }
    // Not in the URL: query strings end up in access logs.
    expect((await fetch(`${http}/metrics?token=scrape-secret`)).status).toBe(401);
    const allowed = await fetch(`${http}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('organism_listeners 3');
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
  });

  it('refuses an empty metrics token instead of leaving /metrics open by mistake', async () => {
    await expect(serve({ metricsToken: '' })).rejects.toMatchObject({ code: 'ORG_ERR_CONFIG', message: expect.stringContaining('metrics token is empty') });
  });

  it('includes the Node.js process metrics by default', async () => {
    const { http } = await serve({ processMetrics: true });
    expect(await (await fetch(`${http}/metrics`)).text()).toContain('process_cpu_user_seconds_total');
  });
});

describe('shutdown', () => {
  it('close() answers every accepted message, refuses new frames, then closes sockets with 1001', async () => {
    const { server, url } = await serve();
    const c = await client(url);
    for (let n = 0; n < 5; n++) c.send(`@sleeper <nap><ms>${100 + n * 50}</ms><label>${n}</label></nap>`);
    await c.next(() => c.all('accepted').length === 5);
    const closing = server.close();
    c.send(`@greeter ${GREETING}`);
    await closing;
    const { code, reason } = await c.closed;
    expect(code).toBe(CloseCodes.GOING_AWAY);
    expect(reason).toBe('server shutting down');
    expect(c.all('message').map((m) => m.payload).sort()).toEqual([0, 1, 2, 3, 4].map((n) => `<napped><label>${n}</label></napped>`));
    expect(c.all('idle')).toHaveLength(5);
    expect(c.all('error').map((e) => e.code)).toEqual(['ORG_ERR_CLOSED']);
    await expect(server.close()).resolves.toBeUndefined();
    await expect(fetch(`${server.address.http}/healthz`)).rejects.toThrow();
  });
});
