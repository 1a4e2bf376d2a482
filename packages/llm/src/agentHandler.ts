import type { Handler, HandlerContext, Huh, Organism } from '@organism/core';
import { context as otelContext, type Context } from '@opentelemetry/api';
import { OrganismError } from '@organism/xml';
import { estimateTokens, type Conversations } from './conversation.js';
import type { ListenerLlm } from './llmConfig.js';
import type { LlmRouter, LlmStream } from './router.js';
import { agentSystemPrompt } from './systemPrompt.js';
import type { UsageMeter } from './usage.js';

/** What the built-in handler of one agent shares with the plugin. */
export interface AgentDeps {
  readonly name: string;
  readonly settings: ListenerLlm;
  readonly router: LlmRouter;
  readonly conversations: Conversations;
  readonly usage: UsageMeter;
  readonly maxTokensPerThread?: number;
  /** Further model requests a call may make to correct output the organism answered with a <huh>. */
  readonly maxCorrections: number;
  /** The organism, once attached (the handler needs its routing table and tool prompts). */
  organism(): Organism;
}

/** The typed payload back as XML, the form the model reads and writes. */
function payloadXml(org: Organism, agent: string, type: string, value: unknown): string {
  const listener = org.routing.listeners.get(agent.toLowerCase());
  const wanted = type.toLowerCase();
  for (const accepted of listener?.types.values() ?? []) {
    if (accepted.tag === wanted || accepted.contract.type.name.toLowerCase() === wanted) return accepted.contract.toXml(value);
  }
  return JSON.stringify(value);
}

/** How a `<huh>` reads back to the model: the organism's own words, as a user turn. */
export function huhTurn(huh: Huh): string {
  const attempt = huh.attempt !== undefined ? `\n<attempt>${huh.attempt.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</attempt>` : '';
  return `From organism:\n<huh><code>${huh.code}</code><message>${huh.message}</message>${attempt}</huh>`;
}

/**
 * The built-in handler of an `agent: true` listener with `llm:` and no `handler:`. Each call adds
 * the incoming payload to the thread's conversation as a user turn, streams the model's answer
 * (the pump dispatches each payload as soon as its closing tag arrives) and adds the answer as an
 * assistant turn. `onHuh` adds the organism's feedback as a user turn; a <huh> that arrives
 * while the call runs makes it ask the model again (bounded), a later one is seen by the next call.
 */
export function createAgentHandler(deps: AgentDeps): { handler: Handler; onHuh: (huh: Huh, context: { thread: string }) => void } {
  let system: string | undefined;
  /** Calls running per thread, and the <huh>s the agent got on that thread while they ran. */
  const running = new Map<string, { calls: number; huhs: number }>();
  const handler: Handler = (payload: unknown, context: HandlerContext) => {
    const org = deps.organism();
    system ??= agentSystemPrompt(org, deps.name);
    const { thread } = context;
    if (overBudget(deps, thread)) return budgetExceeded(deps, thread);
    const turn = `From ${context.from}:\n${payloadXml(org, deps.name, context.type, payload)}`;
    deps.conversations.append(thread, deps.name, { role: 'user', content: turn });
    // The generator's body runs when the pump iterates it, outside the handler's span: keep the
    // context the handler was called in, so the model request's span nests under the handler's.
    return converse(deps, system, context, running, otelContext.active());
  };
  const onHuh = (huh: Huh, { thread }: { thread: string }) => {
    deps.conversations.append(thread, deps.name, { role: 'user', content: huhTurn(huh) });
    const state = running.get(thread);
    if (state) state.huhs++;
  };
  return { handler, onHuh };
}

function overBudget(deps: AgentDeps, thread: string): boolean {
  return deps.maxTokensPerThread !== undefined && deps.usage.threadTokens(thread) >= deps.maxTokensPerThread;
}

/**
 * One call: ask the model, stream its answer. Then let the pump check what it wrote (one turn of
 * the event loop: the payloads were validated and any <huh> delivered as they closed); if the
 * organism sent the agent a <huh> meanwhile, ask again on the same call (the conversation now has
 * the answer and the <huh>), at most `maxCorrections` times. The corrections leave on this call,
 * so they keep its place in the call chain.
 */
async function* converse(
  deps: AgentDeps,
  system: string,
  context: HandlerContext,
  running: Map<string, { calls: number; huhs: number }>,
  trace: Context,
): AsyncGenerator<string> {
  const { thread } = context;
  let state = running.get(thread);
  if (!state) running.set(thread, (state = { calls: 0, huhs: 0 }));
  state.calls++;
  try {
    for (let round = 0; ; round++) {
      const huhsBefore = state.huhs;
      const { stream, turn, release } = otelContext.with(trace, () => ask(deps, system, context));
      // Read here rather than through a generator of its own: every generator layer between the
      // router and the pump costs each piece more promises and turns of the microtask queue.
      try {
        for await (const piece of stream) {
          turn.add(piece);
          yield piece;
        }
      } finally {
        turn.end();
        release();
      }
      if (round >= deps.maxCorrections || context.signal.aborted) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (state.huhs === huhsBefore || context.signal.aborted) return;
      if (overBudget(deps, thread)) return yield* budgetExceeded(deps, thread);
    }
  } finally {
    if (--state.calls === 0) running.delete(thread);
  }
}

/**
 * One model request over the conversation so far: its stream, the assistant turn its pieces go
 * into, and the release of its token reservation (both for when the stream is over).
 */
function ask(deps: AgentDeps, system: string, context: HandlerContext): { stream: LlmStream; turn: { add(text: string): void; end(): void }; release: () => void } {
  const { thread } = context;
  const { settings } = deps;
  const messages = deps.conversations.history(thread, deps.name);
  const release = deps.usage.reserve(thread, estimateTokens(system) + messages.reduce((n, m) => n + estimateTokens(m.content), 0));
  const stream = deps.router.stream({
    model: settings.model,
    system,
    messages,
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.max_tokens !== undefined ? { maxTokens: settings.max_tokens } : {}),
    ...(settings.backend !== undefined ? { backend: settings.backend } : {}),
    signal: context.signal,
    agent: deps.name,
    thread,
  });
  return { stream, turn: deps.conversations.streaming(thread, deps.name), release };
}

/** The thread used its tokens: end it (`<halt>`), then fail the call with the coded error. */
async function* budgetExceeded(deps: AgentDeps, thread: string): AsyncGenerator<string> {
  deps.usage.failed('ORG_ERR_LLM_BUDGET');
  yield '<halt>token budget of the thread used up</halt>';
  throw new OrganismError(
    'ORG_ERR_LLM_BUDGET',
    `thread ${thread} used ${deps.usage.threadTokens(thread)} model tokens, max_tokens_per_thread is ${deps.maxTokensPerThread}; "${deps.name}" was not called and the thread was ended`,
  );
}
