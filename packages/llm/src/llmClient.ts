import type { Handler, HandlerContext } from '@organism/core';
import { OrganismError } from '@organism/xml';
import type { ListenerLlm } from './llmConfig.js';
import type { LlmMessage, LlmRequest, LlmRouter, LlmStream } from './router.js';

/** What `context.llm.stream()` takes: a prompt, or messages with optional overrides of the listener's `llm:` settings. */
export type LlmClientRequest = string | (Partial<Omit<LlmRequest, 'messages' | 'signal' | 'thread'>> & { readonly messages: readonly LlmMessage[] });

/**
 * The configured backends, as a custom handler sees them: `context.llm`. Requests use the
 * listener's `llm:` settings (model, temperature, max_tokens, backend) unless given, are aborted
 * with the handler's signal, and count toward the thread's tokens.
 */
export interface LlmClient {
  /**
   * Stream a completion; return the stream from the handler to have its payloads dispatched as
   * they close, or read it yourself.
   *
   * @example
   * const summarize: LlmHandler<{ text: string }> = (p, ctx) =>
   *   ctx.llm.stream(`Summarize as <summary><text>…</text></summary>: ${p.text}`);
   */
  stream(request: LlmClientRequest): LlmStream;
  /** The whole completion as one text. */
  text(request: LlmClientRequest): Promise<string>;
}

/** A handler's context with `llm` (listeners of an organism with an `llm:` section). */
export interface LlmHandlerContext extends HandlerContext {
  readonly llm: LlmClient;
}

/**
 * A handler that uses `context.llm`.
 *
 * @example
 * export const translate: LlmHandler<{ text: string }> = async ({ text }, ctx) =>
 *   `<translation><text>${await ctx.llm.text(`Translate to French, text only: ${text}`)}</text></translation>`;
 */
export type LlmHandler<T = any> = (payload: T, context: LlmHandlerContext) => ReturnType<Handler<T>>;

export function llmClient(router: LlmRouter, context: HandlerContext, name: string, settings: ListenerLlm | undefined): LlmClient {
  const build = (request: LlmClientRequest): LlmRequest => {
    const r = typeof request === 'string' ? { messages: [{ role: 'user' as const, content: request }] } : request;
    const model = r.model ?? settings?.model;
    const temperature = r.temperature ?? settings?.temperature;
    const maxTokens = r.maxTokens ?? settings?.max_tokens;
    const backend = r.backend ?? settings?.backend;
    if (!model) throw new OrganismError('ORG_ERR_LLM_REQUEST', `"${name}" asked context.llm for a completion without a model: set llm.model on the listener or pass model`);
    return {
      ...r,
      model: model ?? '',
      ...(temperature !== undefined ? { temperature } : {}),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(backend !== undefined ? { backend } : {}),
      signal: context.signal,
      agent: r.agent ?? name,
      thread: context.thread,
    };
  };
  const stream = (request: LlmClientRequest) => router.stream(build(request));
  return {
    stream,
    async text(request) {
      let out = '';
      for await (const piece of stream(request)) out += piece;
      return out;
    },
  };
}

/** Wrap a custom handler so that its context has `llm`. */
export function withLlm(handler: Handler, router: LlmRouter, name: string, settings: ListenerLlm | undefined): Handler {
  return (payload, context) => handler(payload, { ...context, llm: llmClient(router, context, name, settings) } as LlmHandlerContext);
}
