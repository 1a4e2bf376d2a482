import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT_CONTEXT, context, trace, type Attributes, type Context, type ContextManager, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import { loadOrganism } from '@organism/core';
import { llmPlugin } from '@organism/llm';
import { startLlmTestServer, type LlmTestServer } from './support/llmTestServer.js';

/** Just enough of an SDK to see the spans: name, parent, attributes. */
interface Recorded {
  readonly name: string;
  readonly id: string;
  readonly parent?: string;
  readonly attributes: Record<string, unknown>;
  ended: boolean;
}
const spans: Recorded[] = [];
function recordingSpan(name: string, parent: SpanContext | undefined, attributes: Attributes | undefined): Span {
  const ctx: SpanContext = { traceId: parent?.traceId ?? randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: 1 };
  const record: Recorded = { name, id: ctx.spanId, ...(parent ? { parent: parent.spanId } : {}), attributes: { ...attributes }, ended: false };
  spans.push(record);
  const span: Span = {
    spanContext: () => ctx,
    setAttribute: (k, v) => ((record.attributes[k] = v), span),
    setAttributes: (a) => (Object.assign(record.attributes, a), span),
    addEvent: () => span,
    addLink: () => span,
    addLinks: () => span,
    setStatus: () => span,
    updateName: () => span,
    end: () => {
      record.ended = true;
    },
    isRecording: () => !record.ended,
    recordException: () => {},
  };
  return span;
}
const tracer = {
  startSpan: (name: string, options: { attributes?: Attributes } = {}, ctx: Context = context.active()) => recordingSpan(name, trace.getSpan(ctx)?.spanContext(), options.attributes),
} as unknown as Tracer;
class AsyncContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active = (): Context => this.storage.getStore() ?? ROOT_CONTEXT;
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind = <T>(_: Context, target: T): T => target;
  enable = (): this => this;
  disable = (): this => (this.storage.disable(), this);
}

describe('OpenTelemetry spans of model requests', () => {
  let server: LlmTestServer;
  let dir: string;
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncContextManager());
    trace.setGlobalTracerProvider({ getTracer: () => tracer });
    server = await startLlmTestServer();
    dir = mkdtempSync(join(tmpdir(), 'organism-llm-trace-'));
  });
  afterAll(async () => {
    trace.disable();
    context.disable();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one gen_ai span per request, a child of the agent handler span, with model, provider and token usage', async () => {
    const fixture = resolve('packages/llm/test/fixtures/research.ts');
    const file = join(dir, 'organism.yaml');
    writeFileSync(
      file,
      `organism:\n  name: t\nllm:\n  backends:\n    - name: local\n      provider: openai-compatible\n      base_url: ${server.url}/v1\nlisteners:\n  - name: researcher\n    agent: true\n    payload_class: ${fixture}#Question\n    description: answers\n    llm: { model: test-model, temperature: 0.5, max_tokens: 64 }\n`,
    );
    server.script({ pieces: ['<return><answer><text>x</text></answer></return>'], usage: { input: 21, output: 4 } });
    const org = await loadOrganism(file, {}, { plugins: [llmPlugin({ env: {} })] });
    spans.length = 0;
    const thread = await org.send('researcher', '<question><text>q</text></question>');
    await org.whenIdle();
    await org.close();
    const chat = spans.find((s) => s.name === 'chat test-model')!;
    const handler = spans.find((s) => s.name === 'organism.handler')!;
    expect(chat).toBeDefined();
    expect(chat.parent).toBe(handler.id);
    expect(chat.ended).toBe(true);
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'test-model',
      'gen_ai.request.temperature': 0.5,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.provider.name': 'openai-compatible',
      'gen_ai.agent.name': 'researcher',
      'gen_ai.conversation.id': thread,
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 4,
      'organism.llm.backend': 'local',
    });
  });
});
