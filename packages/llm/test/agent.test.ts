import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { loadOrganism, type EgressMessage, type Organism, type OrganismErrorEvent } from '@organism/core';
import { llmPlugin, type LlmStats } from '@organism/llm';
import { startServer } from '@organism/server';
import { startLlmTestServer, type LlmTestServer } from './support/llmTestServer.js';
import { started } from './fixtures/research.js';

const FIXTURE = resolve('packages/llm/test/fixtures/research.ts');
const KEY = 'sk-agent-test-key-never-shown';

function yaml(server: LlmTestServer, extra: { section?: string; top?: string; provider?: string } = {}): string {
  return `organism:
  name: research
${extra.top ?? ''}
llm:
  retries: 1
  retry_base_delay: 10
${extra.section ?? ''}
  backends:
    - name: local
      provider: ${extra.provider ?? 'openai'}
      base_url: ${server.url}/v1
      api_key_env: AGENT_TEST_KEY
      timeout_ms: 2000
listeners:
  - name: researcher
    agent: true
    peers: [calculator]
    payload_class: [${FIXTURE}#Question, ${FIXTURE}#Sum]
    description: Answers arithmetic questions with the calculator
    llm: { model: test-model, temperature: 0.2, max_tokens: 300 }
  - name: calculator
    payload_class: ${FIXTURE}#AddPayload
    handler: ${FIXTURE}#add
    description: Adds a and b
  - name: summarizer
    payload_class: ${FIXTURE}#Topic
    handler: ${FIXTURE}#summarize
    description: Summarizes a topic
    llm: { model: summary-model }
`;
}

describe('built-in LLM agents against a loopback model server', () => {
  let server: LlmTestServer;
  let dir: string;
  let org: Organism | undefined;
  const env = { AGENT_TEST_KEY: KEY };

  const load = async (text: string) => {
    const file = join(dir, `organism-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    org = await loadOrganism(file, {}, { plugins: [llmPlugin({ env })] });
    const errors: OrganismErrorEvent[] = [];
    const egress: EgressMessage[] = [];
    org.errors$.subscribe((e) => errors.push(e));
    org.egress$.subscribe((m) => egress.push(m));
    return { org, errors, egress, file };
  };

  beforeAll(async () => {
    server = await startLlmTestServer();
    dir = mkdtempSync(join(tmpdir(), 'organism-llm-'));
  });
  afterEach(async () => {
    await org?.close();
    org = undefined;
    server.reset();
    started.length = 0;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls a peer and answers the caller; the second turn sees the first and the tool result', async () => {
    server.script(
      { pieces: ['<calculator.add', 'payload><a>2</a><b>', '3</b></calculator.addpay', 'load>'], usage: { input: 100, output: 20 } },
      { pieces: ['<return><answer><text>The sum', ' is 5</text></answer></ret', 'urn>'], usage: { input: 150, output: 12 } },
    );
    const { org, errors, egress } = await load(yaml(server));
    const thread = await org.send('researcher', '<question><text>What is 2 + 3?</text></question>');
    await org.whenIdle();
    expect(errors).toEqual([]);
    expect(egress.map((m) => [m.from, m.to, m.payload])).toEqual([['researcher', 'user', '<answer><text>The sum is 5</text></answer>']]);
    const [first, second] = server.requests;
    expect(first!.body.model).toBe('test-model');
    expect(first!.body.temperature).toBe(0.2);
    expect(first!.body.max_tokens).toBe(300);
    const system = first!.body.messages[0];
    expect(system.role).toBe('system');
    expect(system.content).toMatch(/^You are "researcher"/);
    expect(system.content).toContain('calculator.addpayload');
    expect(system.content).toContain('Answers arithmetic questions with the calculator');
    expect(system.content).toContain('<return>');
    expect(system.content).toContain('<huh>');
    expect(first!.body.messages.slice(1)).toEqual([{ role: 'user', content: 'From user:\n<question><text>What is 2 + 3?</text></question>' }]);
    expect(second!.body.messages.slice(1)).toEqual([
      { role: 'user', content: 'From user:\n<question><text>What is 2 + 3?</text></question>' },
      { role: 'assistant', content: '<calculator.addpayload><a>2</a><b>3</b></calculator.addpayload>' },
      { role: 'user', content: 'From calculator:\n<sum><value>5</value></sum>' },
    ]);
    const stats = org.stats().extensions!.llm as LlmStats;
    expect(stats.byAgent.researcher).toEqual({ input: 250, output: 32, requests: 2 });
    expect(stats.byBackend.local).toMatchObject({ input: 250, output: 32, requests: 2, inFlight: 0 });
    expect(stats.byThread[thread]).toEqual({ input: 250, output: 32, requests: 2 });
  });

  it('dispatches each payload as soon as its closing tag arrives, while the model is still writing', async () => {
    server.script({
      pieces: ['<calculator.addpayload><a>1</a><b>1</b></calculator.addpayload>', '<calculator.addpayload><a>2</a><b>2</b></calculator.addpayload>'],
      gapMs: 400,
    });
    server.script({ pieces: ['noted'] }, { pieces: ['noted'] });
    const { org } = await load(yaml(server));
    await org.send('researcher', '<question><text>go</text></question>');
    await org.whenIdle();
    const written = server.requests[0]!.writtenAt;
    expect(started.map((s) => s.a)).toEqual([1, 2]);
    // the first tool started before the model wrote its second payload
    expect(started[0]!.at < written[1]!).toBe(true);
  });

  it('a backend 4xx is ORG_ERR_LLM_REQUEST on errors$ and a <huh> to the caller, without the key', async () => {
    server.script({ status: 404, error: 'model test-model not found' });
    const { org, errors, egress } = await load(yaml(server));
    await org.send('researcher', '<question><text>?</text></question>');
    await org.whenIdle();
    expect(errors.map((e) => [e.code, e.listener])).toEqual([['ORG_ERR_LLM_REQUEST', 'researcher']]);
    expect(egress).toHaveLength(1);
    expect(egress[0]!.tag).toBe('huh');
    expect(egress[0]!.payload).toContain('<code>ORG_ERR_LLM_REQUEST</code>');
    expect(egress[0]!.payload).toContain('model test-model not found');
    expect(JSON.stringify(errors.map((e) => e.message)) + egress[0]!.payload).not.toContain(KEY);
  });

  it('malformed output gets a <huh>, fed back to the model, which corrects it on the same call', async () => {
    server.script(
      { pieces: ['<calculator.addpayload><a>two</a><b>3</b></calculator.addpayload>'] },
      { pieces: ['<calculator.addpayload><a>2</a><b>3</b></calculator.addpayload>'] },
      { pieces: ['<return><answer><text>5</text></answer></return>'] },
    );
    const { org, errors, egress } = await load(yaml(server));
    await org.send('researcher', '<question><text>2+3?</text></question>');
    await org.whenIdle();
    expect(errors.map((e) => e.code)).toEqual(['ORG_ERR_PAYLOAD_INVALID']);
    const turns = server.requests[1]!.body.messages.slice(1) as Array<{ role: string; content: string }>;
    expect(turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user']);
    expect(turns[2]!.content).toMatch(/^From organism:\n<huh><code>ORG_ERR_PAYLOAD_INVALID<\/code><message>The payload does not match its schema/);
    expect(started.map((s) => [s.a, s.b])).toEqual([[2, 3]]);
    // the correction left on the same call: the calculator answered the researcher, which answered the user
    expect(egress.map((m) => [m.from, m.to, m.payload])).toEqual([['researcher', 'user', '<answer><text>5</text></answer>']]);
  });

  it('a model that keeps writing malformed output stops after max_corrections', async () => {
    server.respondWith(() => ({ pieces: ['<calculator.addpayload><a>x</a></calculator.addpayload>'] }));
    const { org, errors } = await load(yaml(server, { section: '  max_corrections: 1' }));
    await org.send('researcher', '<question><text>?</text></question>');
    await org.whenIdle();
    expect(server.requests).toHaveLength(2);
    expect(errors.map((e) => e.code)).toEqual(['ORG_ERR_PAYLOAD_INVALID', 'ORG_ERR_PAYLOAD_INVALID']);
    expect(org.stats().pending).toBe(0);
  });

  it('a handler timeout aborts the HTTP request: the server sees its socket closed', async () => {
    server.script({ pieces: ['<calculator.add'], stall: true });
    const { org, errors } = await load(yaml(server, { top: 'handler_timeout_ms: 300' }));
    await org.send('researcher', '<question><text>slow</text></question>');
    await org.whenIdle();
    await server.requests[0]!.closed;
    expect(errors.map((e) => e.code)).toEqual(['ORG_ERR_HANDLER_TIMEOUT']);
  });

  it('close() aborts a running model request instead of waiting for it', async () => {
    server.script({ pieces: ['<calculator.add'], stall: true });
    const { org } = await load(yaml(server));
    await org.send('researcher', '<question><text>slow</text></question>');
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const began = Date.now();
    await org.close();
    await server.requests[0]!.closed;
    expect(Date.now() - began).toBeLessThan(1_500);
  });

  it('max_tokens_per_thread ends a runaway thread with ORG_ERR_LLM_BUDGET', async () => {
    // The agent keeps calling the tool; the second call on the thread is over the budget.
    server.respondWith(() => ({ pieces: ['<calculator.addpayload><a>1</a><b>1</b></calculator.addpayload>'], usage: { input: 60, output: 50 } }));
    const { org, errors } = await load(yaml(server, { section: '  max_tokens_per_thread: 100' }));
    await org.send('researcher', '<question><text>loop</text></question>');
    await org.whenIdle();
    server.respondWith(undefined);
    expect(server.requests).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(['ORG_ERR_LLM_BUDGET']);
    expect(errors[0]!.message).toContain('max_tokens_per_thread is 100');
    expect(org.stats().threads).toBe(0);
  });

  it('context.llm streams a completion for a custom handler, with its listener settings', async () => {
    server.script({ pieces: ['<answer><text>Short', '.</text></answer>'], usage: { input: 5, output: 4 } });
    const { org, egress } = await load(yaml(server));
    await org.send('summarizer', '<topic><name>XML</name></topic>');
    await org.whenIdle();
    expect(server.requests[0]!.body.model).toBe('summary-model');
    expect(egress.map((m) => m.payload)).toEqual(['<answer><text>Short.</text></answer>']);
    expect((org.stats().extensions!.llm as LlmStats).byAgent.summarizer).toEqual({ input: 5, output: 4, requests: 1 });
  });

  it('the Anthropic wire format works end to end', async () => {
    server.script({ pieces: ['<return><answer><text>', 'hi</text></answer></return>'] });
    const { org, egress } = await load(yaml(server, { provider: 'anthropic' }));
    await org.send('researcher', '<question><text>hello</text></question>');
    await org.whenIdle();
    expect(server.requests[0]!.path).toBe('/v1/messages');
    expect(egress.map((m) => m.payload)).toEqual(['<answer><text>hi</text></answer>']);
  });

  it('serves token, latency and error metrics on /metrics without the server importing the plugin', async () => {
    server.script({ pieces: ['<return><answer><text>ok</text></answer></return>'], usage: { input: 30, output: 7 } }, { status: 400, error: 'bad' });
    const { org } = await load(yaml(server));
    await org.send('researcher', '<question><text>a</text></question>');
    await org.whenIdle();
    await org.send('researcher', '<question><text>b</text></question>');
    await org.whenIdle();
    const http = await startServer(org, { port: 0, host: '127.0.0.1', token: 'client-token' });
    try {
      const text = await (await fetch(`${http.address.http}/metrics`)).text();
      expect(text).toContain('organism_llm_tokens_total{agent="researcher",backend="local",kind="input"} 30');
      expect(text).toContain('organism_llm_tokens_total{agent="researcher",backend="local",kind="output"} 7');
      expect(text).toContain('organism_llm_request_duration_seconds_count{backend="local"} 1');
      expect(text).toContain('organism_llm_errors_total{code="ORG_ERR_LLM_REQUEST"} 1');
      expect(text).not.toContain(KEY);
    } finally {
      await http.close();
    }
  });
});

describe('the llm: section in organism.yaml', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'organism-llm-config-'));
    mkdirSync(dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const base = (section: string, listener = '    llm: { model: m }') => `organism:
  name: research
llm:
${section}
listeners:
  - name: researcher
    agent: true
    payload_class: ${FIXTURE}#Question
    description: Answers
${listener}
`;
  const loadError = async (text: string, env: Record<string, string> = {}) => {
    const file = join(dir, 'organism.yaml');
    writeFileSync(file, text);
    try {
      const org = await loadOrganism(file, {}, { plugins: [llmPlugin({ env })] });
      await org.close();
    } catch (error) {
      return error as Error & { code: string };
    }
    throw new Error('loaded');
  };

  it('a missing environment variable for a key is a config error at load naming the variable', async () => {
    const error = await loadError(base('  backends:\n    - provider: openai\n      api_key_env: MISSING_OPENAI_KEY'));
    expect(error.code).toBe('ORG_ERR_CONFIG');
    expect(error.message).toMatch(/organism\.yaml:6 llm\.backends\[0\]\.api_key_env: environment variable MISSING_OPENAI_KEY is not set/);
  });

  it('wrong values are reported with file, line and key path', async () => {
    expect((await loadError(base('  strategy: random\n  backends:\n    - provider: replay'))).message).toMatch(
      /organism\.yaml:4 llm\.strategy: expected one of "failover", "round-robin", "least-loaded", got the string "random"/,
    );
    expect((await loadError(base('  backends:\n    - provider: openai-compatible\n      priorty: 1'))).message).toMatch(
      /organism\.yaml:6 llm\.backends\[0\]\.priorty: unknown key "priorty" \(did you mean "priority"\?\)/,
    );
    expect((await loadError(base('  backends:\n    - provider: openai-compatible\n      max_concurrent: 0'))).message).toMatch(
      /organism\.yaml:6 llm\.backends\[0\]\.max_concurrent: must be > 0, got 0/,
    );
    expect((await loadError(base('  backends:\n    - provider: openai-compatible', '    llm: { temperature: 1 }'))).message).toMatch(
      /organism\.yaml:\d+ listeners\[0\]\.llm: required key model is missing/,
    );
    expect((await loadError(base('  backends:\n    - provider: openai-compatible', '    llm: { model: m, backend: other }'))).message).toMatch(
      /listeners\[0\]\.llm\.backend: no backend is named "other"; the backends are "openai-compatible"/,
    );
  });

  it('without the plugin, a listener without handler still fails as before', async () => {
    const file = join(dir, 'plain.yaml');
    writeFileSync(file, `organism:\n  name: x\nlisteners:\n  - name: a\n    payload_class: ${FIXTURE}#Question\n    description: d\n`);
    await expect(loadOrganism(file)).rejects.toThrow(/plain\.yaml:4 listeners\[0\]: required key handler is missing/);
  });
});
