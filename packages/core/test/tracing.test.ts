import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Context,
  type ContextManager,
  type Span,
  type SpanContext,
  type SpanStatus,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { z } from 'zod';
import { createOrganism, definePayload } from '../src/index.js';

/** A span that remembers what it was told: enough SDK to watch the organism's spans. */
class RecordedSpan implements Span {
  readonly attributes: Attributes = {};
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  ended = false;
  private readonly context: SpanContext;

  constructor(
    readonly name: string,
    readonly parent: SpanContext | undefined,
    attributes: Attributes | undefined,
  ) {
    this.context = { traceId: parent?.traceId ?? randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: 1 };
    Object.assign(this.attributes, attributes);
  }
  spanContext(): SpanContext {
    return this.context;
  }
  setAttribute(key: string, value: unknown): this {
    (this.attributes as Record<string, unknown>)[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.attributes, attributes);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.status = status;
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {
    this.ended = true;
  }
  isRecording(): boolean {
    return !this.ended;
  }
  recordException(): void {}
}

const spans: RecordedSpan[] = [];
const tracer = {
  startSpan(name: string, options: { attributes?: Attributes } = {}, ctx: Context = context.active()) {
    const span = new RecordedSpan(name, trace.getSpan(ctx)?.spanContext(), options.attributes);
    spans.push(span);
    return span;
  },
  startActiveSpan() {
    throw new Error('not used by the organism');
  },
} as unknown as Tracer;
const provider: TracerProvider = { getTracer: () => tracer };

class AsyncContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncContextManager());
  trace.setGlobalTracerProvider(provider);
});
afterAll(() => {
  trace.disable();
  context.disable();
});

const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
const Relay = definePayload('Relay', z.object({ name: z.string() }));
const GreetingResponse = definePayload('GreetingResponse', z.object({ message: z.string() }));

describe('OpenTelemetry spans (with an SDK registered)', () => {
  it("chain a thread's hops (pass, handler, pass, handler, ...) in one trace", async () => {
    const org = createOrganism({
      listeners: [
        { name: 'greeter', payload: Greeting, description: 'greets', handler: ({ name }: { name: string }) => `<greetingresponse><message>Hello, ${name}!</message></greetingresponse>` },
        {
          name: 'relay',
          payload: [Relay, GreetingResponse],
          description: 'relays a name to the greeter and keeps its answer',
          handler: (value: { name?: string }, ctx) => (ctx.type === 'Relay' ? `<greeter.greeting><name>${value.name}</name></greeter.greeting>` : undefined),
        },
      ],
    });
    spans.length = 0;
    const thread = await org.send('relay', '<relay><name>W</name></relay>');
    await org.whenIdle();
    await org.close();

    const describeSpan = (s: RecordedSpan) => `${s.name}${s.attributes['organism.listener'] ? ` ${String(s.attributes['organism.listener'])}` : ''}`;
    expect(spans.map(describeSpan)).toEqual([
      'organism.pass',
      'organism.handler relay',
      'organism.pass',
      'organism.handler greeter',
      'organism.pass',
      'organism.handler relay',
    ]);
    for (const [i, span] of spans.entries()) {
      expect(span.ended).toBe(true);
      expect(span.attributes['organism.thread']).toBe(thread);
      if (i > 0) expect(span.parent?.spanId).toBe(spans[i - 1]!.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(spans[0]!.spanContext().traceId);
    }
    expect(spans[0]!.attributes).toMatchObject({ 'organism.origin': 'external', 'organism.route': 'deliver', 'organism.listeners': 'relay', 'organism.from': 'user' });
    expect(spans[2]!.attributes).toMatchObject({ 'organism.origin': 'response', 'organism.from': 'relay', 'organism.tag': 'greeter.greeting' });
    expect(spans[4]!.attributes).toMatchObject({ 'organism.origin': 'response', 'organism.from': 'greeter', 'organism.to': 'relay' });
  });

  it('mark a failed pass and a throwing handler with an error status and code', async () => {
    const org = createOrganism({
      listeners: [
        {
          name: 'boom',
          payload: Greeting,
          description: 'throws',
          handler: () => {
            throw new Error('kaboom');
          },
        },
      ],
    });
    spans.length = 0;
    await org.inject('<not xml');
    await org.send('boom', '<greeting><name>x</name></greeting>');
    await org.whenIdle();
    await org.close();
    const failedPass = spans.find((s) => s.name === 'organism.pass' && s.attributes['organism.error.code'] === 'ORG_ERR_XML_PARSE');
    expect(failedPass?.status.code).toBe(SpanStatusCode.ERROR);
    const handler = spans.find((s) => s.name === 'organism.handler');
    expect(handler?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'kaboom' });
  });
});
