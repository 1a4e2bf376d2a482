import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { OrganismError } from '@organism/xml';
import { createLlmRouter, type BackendSpec, type LlmRouter } from '@organism/llm';
import { startLlmTestServer, type LlmTestServer } from './support/llmTestServer.js';

const collect = async (iterable: AsyncIterable<string>): Promise<string[]> => {
  const out: string[] = [];
  for await (const piece of iterable) out.push(piece);
  return out;
};
const failure = async (iterable: AsyncIterable<string>): Promise<OrganismError> => {
  try {
    await collect(iterable);
  } catch (error) {
    return error as OrganismError;
  }
  throw new Error('the stream did not fail');
};

describe('the LLM router against a loopback server', () => {
  let a: LlmTestServer;
  let b: LlmTestServer;
  const routers: LlmRouter[] = [];
  const backend = (server: LlmTestServer, extra: Partial<BackendSpec> = {}): BackendSpec => ({
    name: extra.name ?? 'a',
    provider: 'openai',
    baseUrl: `${server.url}/v1`,
    apiKey: 'sk-test-secret-key',
    priority: 0,
    maxConcurrent: 4,
    timeoutMs: 2_000,
    ...extra,
  });
  const router = (backends: BackendSpec[], extra: Partial<Parameters<typeof createLlmRouter>[0]> = {}) => {
    const r = createLlmRouter({ strategy: 'failover', retries: 2, retryBaseDelayMs: 10, retryMaxDelayMs: 5_000, backends, ...extra });
    routers.push(r);
    return r;
  };
  const ask = { model: 'test-model', system: 'You are "tester".', messages: [{ role: 'user' as const, content: 'Hi' }] };

  beforeAll(async () => {
    a = await startLlmTestServer();
    b = await startLlmTestServer();
  });
  beforeEach(() => {
    a.requests.length = 0;
    b.requests.length = 0;
  });
  afterAll(async () => {
    for (const r of routers) r.close();
    await a.close();
    await b.close();
  });

  it('streams OpenAI chat-completions SSE piece by piece, even with SSE frames cut mid-byte, and reports usage', async () => {
    a.script({ pieces: ['<answer><te', 'xt>4', '2</text></ans', 'wer>'], splitBytes: 7, usage: { input: 12, output: 5 } });
    const stream = router([backend(a)]).stream(ask);
    expect(await collect(stream)).toEqual(['<answer><te', 'xt>4', '2</text></ans', 'wer>']);
    expect(await stream.completion).toMatchObject({ backend: 'a', inputTokens: 12, outputTokens: 5, attempts: 1, text: '<answer><text>42</text></answer>' });
    expect(a.requests[0]!.path).toBe('/v1/chat/completions');
    expect(a.requests[0]!.body).toMatchObject({ model: 'test-model', stream: true, messages: [{ role: 'system', content: 'You are "tester".' }, { role: 'user', content: 'Hi' }] });
    expect(a.requests[0]!.headers.authorization).toBe('Bearer sk-test-secret-key');
  });

  it('streams Anthropic messages SSE', async () => {
    a.script({ pieces: ['<ok>', 'fine</ok>'], usage: { input: 7, output: 3 } });
    const stream = router([backend(a, { provider: 'anthropic' })]).stream(ask);
    expect((await collect(stream)).join('')).toBe('<ok>fine</ok>');
    expect(await stream.completion).toMatchObject({ inputTokens: 7, outputTokens: 3 });
    expect(a.requests[0]!.path).toBe('/v1/messages');
    expect(a.requests[0]!.headers['x-api-key']).toBe('sk-test-secret-key');
    expect(a.requests[0]!.body).toMatchObject({ system: [{ type: 'text', text: 'You are "tester".' }] });
  });

  it('honours Retry-After on a 429 before retrying the same backend', async () => {
    a.script({ status: 429, headers: { 'retry-after': '1' }, error: 'slow down' }, { pieces: ['<ok/>'] });
    const started = Date.now();
    expect(await collect(router([backend(a)]).stream(ask))).toEqual(['<ok/>']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(a.requests).toHaveLength(2);
  });

  it('retries a 500 and succeeds', async () => {
    a.script({ status: 500, error: 'boom' }, { pieces: ['<ok/>'] });
    const stream = router([backend(a)]).stream(ask);
    expect(await collect(stream)).toEqual(['<ok/>']);
    expect((await stream.completion).attempts).toBe(2);
  });

  it('fails over to the next backend by priority on a 5xx, without waiting', async () => {
    a.script({ status: 503, error: 'down' });
    b.script({ pieces: ['<ok/>'] });
    const stream = router([backend(b, { name: 'b', priority: 1 }), backend(a, { name: 'a', priority: 0 })], { retryBaseDelayMs: 5_000 }).stream(ask);
    const started = Date.now();
    expect(await collect(stream)).toEqual(['<ok/>']);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await stream.completion).backend).toBe('b');
    expect([a.requests.length, b.requests.length]).toEqual([1, 1]);
  });

  it('a 4xx is ORG_ERR_LLM_REQUEST at once, not retried, and never shows the key', async () => {
    a.script({ status: 401, error: 'invalid api key' });
    const error = await failure(router([backend(a)]).stream(ask));
    expect(error).toBeInstanceOf(OrganismError);
    expect(error.code).toBe('ORG_ERR_LLM_REQUEST');
    expect(error.message).toContain('HTTP 401: invalid api key');
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain('sk-test-secret-key');
    expect(a.requests).toHaveLength(1);
  });

  it('gives up with ORG_ERR_LLM_UNAVAILABLE after the retries', async () => {
    a.script({ status: 500 }, { status: 502 }, { status: 500 });
    const error = await failure(router([backend(a)], { retries: 2 }).stream(ask));
    expect(error.code).toBe('ORG_ERR_LLM_UNAVAILABLE');
    expect(error.message).toContain('after 3 attempts');
    expect(a.requests).toHaveLength(3);
  });

  it('a stream that stalls before any text is retried on the next backend, and its socket is closed', async () => {
    a.script({ pieces: [], stall: true });
    b.script({ pieces: ['<ok/>'] });
    const stream = router([backend(a, { timeoutMs: 200 }), backend(b, { name: 'b', priority: 1 })]).stream(ask);
    expect(await collect(stream)).toEqual(['<ok/>']);
    await a.requests[0]!.closed;
  });

  it('a stream that stalls after text ends with ORG_ERR_LLM_TIMEOUT and closes the socket', async () => {
    a.script({ pieces: ['<ans'], stall: true });
    const pieces: string[] = [];
    let caught: unknown;
    try {
      for await (const piece of router([backend(a, { timeoutMs: 200 })]).stream(ask)) pieces.push(piece);
    } catch (error) {
      caught = error;
    }
    expect(pieces).toEqual(['<ans']);
    expect((caught as OrganismError).code).toBe('ORG_ERR_LLM_TIMEOUT');
    await a.requests[0]!.closed;
  });

  it('aborting the signal aborts the HTTP request: the server sees its socket closed', async () => {
    a.script({ pieces: ['<a>'], stall: true });
    const controller = new AbortController();
    const stream = router([backend(a)]).stream({ ...ask, signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe('<a>');
    controller.abort(new OrganismError('ORG_ERR_HANDLER_TIMEOUT', 'too slow'));
    await expect(iterator.next()).rejects.toMatchObject({ code: 'ORG_ERR_HANDLER_TIMEOUT' });
    await a.requests[0]!.closed;
  });

  it('close() aborts running requests (ORG_ERR_CLOSED) and refuses new ones', async () => {
    a.script({ pieces: ['<a>'], stall: true });
    const r = router([backend(a)]);
    const iterator = r.stream(ask)[Symbol.asyncIterator]();
    await iterator.next();
    r.close();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'ORG_ERR_CLOSED' });
    await a.requests[0]!.closed;
    await expect(collect(r.stream(ask))).rejects.toMatchObject({ code: 'ORG_ERR_CLOSED' });
  });

  it('keeps at most max_concurrent requests on a backend; others wait for a slot', async () => {
    let open = 0;
    let peak = 0;
    a.respondWith((request) => {
      open++;
      peak = Math.max(peak, open);
      // the server ends its response before the client reads the end and frees its slot
      void request.closed.then(() => open--);
      return { pieces: ['<ok/>'], gapMs: 50 };
    });
    const r = router([backend(a, { maxConcurrent: 2 })]);
    await Promise.all(Array.from({ length: 6 }, () => collect(r.stream(ask))));
    expect(peak).toBeLessThanOrEqual(2);
    expect(a.requests).toHaveLength(6);
    a.respondWith(undefined);
  });

  it('holds a backend at its tokens-per-minute limit and uses the other one', async () => {
    a.respondWith(() => ({ pieces: ['<a/>'], usage: { input: 900, output: 100 } }));
    b.respondWith(() => ({ pieces: ['<b/>'] }));
    const r = router([backend(a, { rateLimitTpm: 1_000 }), backend(b, { name: 'b', priority: 1 })]);
    const first = r.stream(ask);
    await collect(first);
    expect((await first.completion).backend).toBe('a');
    const second = r.stream(ask);
    await collect(second);
    expect((await second.completion).backend).toBe('b');
    expect(r.load().find((l) => l.backend === 'a')!.tokensLastMinute).toBe(1_000);
    a.respondWith(undefined);
    b.respondWith(undefined);
  });
});

describe('routing strategies', () => {
  let servers: LlmTestServer[];
  const routers: LlmRouter[] = [];
  beforeAll(async () => {
    servers = await Promise.all([startLlmTestServer(), startLlmTestServer()]);
    for (const s of servers) s.respondWith(() => ({ pieces: ['<ok/>'], gapMs: 30 }));
  });
  afterAll(async () => {
    for (const r of routers) r.close();
    await Promise.all(servers.map((s) => s.close()));
  });
  const specs = (): BackendSpec[] =>
    servers.map((s, i) => ({ name: `b${i}`, provider: 'openai-compatible', baseUrl: `${s.url}/v1`, priority: i, maxConcurrent: 8, timeoutMs: 2_000 }));
  const used = async (r: LlmRouter, n: number, parallel: boolean): Promise<string[]> => {
    const run = async () => {
      const stream = r.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
      for await (const _ of stream);
      return (await stream.completion).backend;
    };
    if (parallel) return Promise.all(Array.from({ length: n }, run));
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await run());
    return out;
  };

  it('failover sends everything to the first backend by priority while it works', async () => {
    const r = createLlmRouter({ strategy: 'failover', retries: 0, retryBaseDelayMs: 0, retryMaxDelayMs: 1, backends: specs() });
    routers.push(r);
    expect(await used(r, 4, false)).toEqual(['b0', 'b0', 'b0', 'b0']);
  });

  it('round-robin takes the backends in turn', async () => {
    const r = createLlmRouter({ strategy: 'round-robin', retries: 0, retryBaseDelayMs: 0, retryMaxDelayMs: 1, backends: specs() });
    routers.push(r);
    expect(await used(r, 4, false)).toEqual(['b0', 'b1', 'b0', 'b1']);
  });

  it('least-loaded spreads concurrent requests over the backends', async () => {
    const r = createLlmRouter({ strategy: 'least-loaded', retries: 0, retryBaseDelayMs: 0, retryMaxDelayMs: 1, backends: specs() });
    routers.push(r);
    const backends = await used(r, 6, true);
    expect(backends.filter((b) => b === 'b0')).toHaveLength(3);
    expect(backends.filter((b) => b === 'b1')).toHaveLength(3);
  });
});
